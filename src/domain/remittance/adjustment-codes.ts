/**
 * CARC (claim adjustment reason codes, CAS02…) and RARC (remittance advice
 * remark codes, MOA/MIA/LQ) shown on the denials work list, as data: each
 * with a short description in our own words and the dates it is in effect.
 * The published lists are maintained by X12 (CARC) and CMS (RARC) and change
 * three times a year; this table carries the codes practices meet most and is
 * refreshed by editing it. A code that is missing, or used outside its dates,
 * is shown as such rather than guessed.
 */

export interface AdjustmentCode {
  code: string;
  description: string;
  /** First day in effect (YYYY-MM-DD). */
  from: string;
  /** Last day in effect; null while in effect. */
  to: string | null;
}

const since = (from: string) => (code: string, description: string, to: string | null = null): AdjustmentCode => ({ code, description, from, to });
const base = since('1995-01-01');

export const carcCodes: readonly AdjustmentCode[] = [
  base('1', 'Deductible: the patient owes this toward the deductible.'),
  base('2', 'Coinsurance: the patient owes this share of the allowed amount.'),
  base('3', 'Copayment: the patient owes this fixed amount.'),
  base('4', 'The procedure code does not fit the modifier billed, or a required modifier is missing.'),
  base('5', 'The procedure code or bill type does not fit the place of service.'),
  base('6', "The procedure or revenue code does not fit the patient's age."),
  base('11', 'The diagnosis does not support the procedure billed.'),
  base('16', 'The claim lacks information or has billing errors; the remark codes say what to fix.'),
  base('18', 'The same claim or service was already billed: an exact duplicate.'),
  base('19', "A work injury or illness: the workers' compensation carrier is liable."),
  base('22', 'Another payer may cover this first under coordination of benefits.'),
  base('23', "The prior payer's adjudication (its payments and adjustments) is reflected here."),
  base('24', 'Covered under a capitation or managed-care agreement.'),
  base('26', "The service was before the patient's coverage began."),
  base('27', "The service was after the patient's coverage ended."),
  base('29', 'Billed after the time limit for filing.'),
  base('31', 'The payer cannot identify the patient as its insured.'),
  base('45', 'The charge is above the fee schedule or contracted amount: a contractual write-off.'),
  base('50', 'Not covered: the payer does not consider it medically necessary.'),
  base('55', 'Not covered: the payer considers the procedure experimental or investigational.'),
  base('59', 'Reduced under multiple- or concurrent-procedure rules.'),
  base('96', 'A charge the plan does not cover.'),
  base('97', 'Paid as part of another service or procedure already adjudicated (bundled).'),
  base('100', 'Payment was made to the patient or insured, not the provider.'),
  base('109', 'Not covered by this payer: bill the right payer or contractor.'),
  base('119', 'The benefit maximum for this period or occurrence has been reached.'),
  base('129', 'The information about prior processing appears to be wrong.'),
  base('140', "The patient's member ID and name do not match."),
  since('1998-02-01')('151', 'The information sent does not support this many services or this frequency.'),
  since('2004-06-01')('167', 'The diagnosis is not covered.'),
  since('2005-01-01')('170', 'Not paid when performed or billed by this type of provider.'),
  since('2005-01-01')('181', 'The procedure code was not valid on the date of service.'),
  since('2008-01-01')('197', 'Precertification, authorization or notification was missing.'),
  since('2008-01-01')('204', "Not covered under the patient's current benefit plan."),
  since('2010-01-01')('234', 'This procedure is not paid separately.'),
  since('2011-01-01')('242', 'Provided outside the network or not by the primary care provider.'),
  since('2012-01-01')('252', 'An attachment or other documentation is needed to adjudicate.'),
  since('2013-04-01')('253', 'Sequestration: the federal reduction of Medicare payments.'),
  base('A1', 'The claim or service is denied.'),
  base('B7', 'The provider was not certified or eligible for this procedure on the date of service.'),
  base('B15', 'Needs a qualifying service or procedure that was not paid.'),
];

export const rarcCodes: readonly AdjustmentCode[] = [
  since('1997-01-01')('M15', 'Separately billed services or tests were bundled: their payment is in another service.'),
  since('1997-01-01')('M80', 'Not covered when performed on the same day or session as a service already processed.'),
  since('1997-01-01')('M86', 'Denied: a payment was already made for the same or a similar procedure in this period.'),
  since('1997-01-01')('M127', "The patient's medical record for this service is missing."),
  since('1997-01-01')('MA01', 'If you disagree with this decision you may appeal; the notice says how.'),
  since('1997-01-01')('MA04', "A secondary payment needs the primary payer's payment information."),
  since('1997-01-01')('MA130', 'The claim is incomplete or has invalid information and has no appeal rights: correct it and send it as a new claim.'),
  since('2000-01-01')('N4', "The prior payer's explanation of benefits is missing, incomplete or invalid."),
  since('2000-01-01')('N20', 'Not paid with another service on the same date.'),
  since('2000-01-01')('N59', "See the payer's provider manual for this rule."),
  since('2002-01-01')('N115', 'The decision follows a local coverage determination.'),
  since('2002-01-01')('N130', "See the plan's benefit documents or guidelines for what is covered."),
  since('2004-01-01')('N286', "The referring provider's identifier is missing or invalid."),
  since('2004-01-01')('N290', "The rendering provider's identifier is missing or invalid."),
  since('2006-01-01')('N362', 'The number of days or units is more than the payer allows.'),
  since('2011-01-01')('N432', 'Reduced by the multiple procedure payment reduction.'),
];

const carcByCode = new Map(carcCodes.map((c) => [c.code, c]));
const rarcByCode = new Map(rarcCodes.map((c) => [c.code, c]));

function lookUp(table: Map<string, AdjustmentCode>, code: string, onDate: string | null): { code: string; description: string; known: boolean } {
  const trimmed = code.trim().toUpperCase();
  const entry = table.get(trimmed);
  if (!entry) return { code: trimmed, description: `unknown code ${trimmed}`, known: false };
  if (onDate && (onDate < entry.from || (entry.to !== null && onDate > entry.to))) {
    return { code: trimmed, description: `code ${trimmed} was not in effect on ${onDate} (${entry.description})`, known: false };
  }
  return { code: trimmed, description: entry.description, known: true };
}

/** A CARC with its description, as in effect on `onDate` (the remittance's date) when given. */
export function describeCarc(code: string, onDate: string | null = null) {
  return lookUp(carcByCode, code, onDate);
}

/** A RARC with its description, as in effect on `onDate` when given. */
export function describeRarc(code: string, onDate: string | null = null) {
  return lookUp(rarcByCode, code, onDate);
}
