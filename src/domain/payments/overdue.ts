/** Statuses in which a payment is still expected to be paid. */
const awaiting = new Set(['draft', 'pending', 'processing', 'failed']);

/** Overdue: the due date has passed (strictly before today) and the payment is not paid, cancelled or voided. */
export function isOverdue(status: string, dueDate: string | null, today: string): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, null < a date string is false too
  return dueDate !== null && dueDate < today && awaiting.has(status);
}
