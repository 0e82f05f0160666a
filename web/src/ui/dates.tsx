import { Text, type TextProps } from '@mantine/core';

/**
 * Calendar dates ('YYYY-MM-DD') are read from their digits and formatted in
 * UTC, so a date never moves a day whatever the browser's time zone.
 * Instants (ISO-8601 with a time) are shown in the viewer's local time.
 */

/** Made on first use: each formatter costs the browser ICU work as the page loads, and a page needs only some (ADR 0039). */
function formatter(options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
  let made: Intl.DateTimeFormat | undefined;
  return () => (made ??= new Intl.DateTimeFormat('en-US', options));
}

const dateFormat = formatter({ year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const monthFormat = formatter({ year: 'numeric', month: 'short', timeZone: 'UTC' });
const dateTimeFormat = formatter({ year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const localDateFormat = formatter({ year: 'numeric', month: 'short', day: 'numeric' });

export function formatCalendarDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.slice(0, 10));
  if (!match) return value;
  const [, y, m, d] = match;
  return dateFormat().format(new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))));
}

/** 'YYYY-MM' → "Mar 2026". */
export function formatMonth(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  if (!match) return value;
  const [, y, m] = match;
  return monthFormat().format(new Date(Date.UTC(Number(y), Number(m) - 1, 1)));
}

export function formatInstant(value: string, withTime = true): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return (withTime ? dateTimeFormat : localDateFormat)().format(date);
}

/** Today's calendar date, as 'YYYY-MM-DD': in `timeZone` (the practice's) when known, else where the user is. */
export function todayCalendarDate(timeZone?: string): string {
  const now = new Date();
  if (timeZone) {
    try {
      const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
      const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
      return `${part('year')}-${part('month')}-${part('day')}`;
    } catch {
      // An unknown zone falls back to the browser's own calendar.
    }
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

interface DateProps extends Omit<TextProps, 'children'> {
  value: string | null | undefined;
  fallback?: string;
}

/** A calendar date ('YYYY-MM-DD'). */
export function CalendarDate({ value, fallback = '—', ...props }: DateProps) {
  return (
    <Text component="span" inherit {...props}>
      {value ? <time dateTime={value.slice(0, 10)}>{formatCalendarDate(value)}</time> : fallback}
    </Text>
  );
}

/** An instant (ISO-8601), in local time; withTime={false} shows only the local day. */
export function DateTime({ value, fallback = '—', withTime = true, ...props }: DateProps & { withTime?: boolean }) {
  return (
    <Text component="span" inherit {...props}>
      {value ? (
        <time dateTime={value} title={withTime ? undefined : formatInstant(value)}>
          {formatInstant(value, withTime)}
        </time>
      ) : (
        fallback
      )}
    </Text>
  );
}
