import { nextWallClockHour, wallClockHourIn } from '../calendar/practice-calendar.ts';

/** Texts go out between 8 am and 9 pm on the practice's wall clock (TCPA-style quiet hours). */
export const SMS_WINDOW = { fromHour: 8, untilHour: 21 } as const;

/** When an SMS queued at `now` may go out: now inside the window, else the next 8 am in the practice's time zone. */
export function smsNotBefore(timeZone: string, now: Date): Date {
  const hour = wallClockHourIn(timeZone, now);
  if (hour >= SMS_WINDOW.fromHour && hour < SMS_WINDOW.untilHour) return now;
  return nextWallClockHour(timeZone, now, SMS_WINDOW.fromHour);
}

/** E.164: a plus, a country code and up to 15 digits in all. */
export function isE164(phone: string): boolean {
  return /^\+[1-9]\d{7,14}$/.test(phone);
}

/** A phone as typed at the desk ("(555) 010-2000", "+1 555 010 2000") in E.164, US numbers assumed without a country code; null when it is not one. */
export function toE164(phone: string): string | null {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/[\s().-]/g, '');
  if (isE164(digits)) return digits;
  if (/^\d{10}$/.test(digits)) return `+1${digits}`;
  if (/^1\d{10}$/.test(digits)) return `+${digits}`;
  return null;
}
