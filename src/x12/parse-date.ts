/**
 * An X12 date (CCYYMMDD) as a calendar date 'YYYY-MM-DD', or null when it is
 * not eight digits naming a real day. Pure string work: a Date object would
 * bring a time zone, and date-only values must never shift a day.
 */
export function parseX12Date(text: string): string | null {
  if (text.length !== 8) return null;
  for (let i = 0; i < 8; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
