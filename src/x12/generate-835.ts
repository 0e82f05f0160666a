/**
 * Realistic synthetic 835 files for tests and benchmarks, fully determined by
 * a seed. Every claim balances (charge = paid + all CAS), every transaction
 * set balances (BPR02 = ΣCLP04 − ΣPLB), envelope counts and control numbers
 * are right, and the totals the reader should find are returned alongside.
 */

export interface DelimiterProfile {
  element: string;
  segment: string;
  component: string;
  repetition: string;
  /** Written after every segment terminator: a newline, CRLF plus indentation, or nothing. */
  between: string;
}

export const DELIMITER_PROFILES = {
  /** `*` `~` `:` `^`, a newline after each segment: the common layout. */
  standard: { element: '*', segment: '~', component: ':', repetition: '^', between: '\n' },
  /** The same on one line. */
  'one-line': { element: '*', segment: '~', component: ':', repetition: '^', between: '' },
  /** CRLF and indented segments, `>` inside composites. */
  'crlf-indented': { element: '*', segment: '~', component: '>', repetition: '^', between: '\r\n    ' },
  /** The newline itself terminates segments. */
  'newline-terminated': { element: '*', segment: '\n', component: ':', repetition: '^', between: '' },
  /** `|` between elements, newline-terminated, `>` inside composites. */
  pipe: { element: '|', segment: '\n', component: '>', repetition: '^', between: '' },
  /** Unusual but legal choices, `^` as the element separator. */
  exotic: { element: '^', segment: '\\', component: '<', repetition: '{', between: '' },
} as const satisfies Record<string, DelimiterProfile>;

export type DelimiterProfileName = keyof typeof DELIMITER_PROFILES;
export const DELIMITER_PROFILE_NAMES = Object.keys(DELIMITER_PROFILES) as DelimiterProfileName[];

/** The CLP02 codes the generator writes; the first claims of a file cover them all. */
export const GENERATED_STATUSES = ['1', '2', '3', '4', '19', '20', '21', '22', '23'] as const;
export type GeneratedStatus = (typeof GENERATED_STATUSES)[number];

export interface Generate835Options {
  seed: number;
  /** Claims in the whole file, reversals and their corrections included. */
  claims: number;
  /** A profile for every interchange, or 'mixed' to rotate through them all. Default 'standard'. */
  profile?: DelimiterProfileName | 'mixed';
  /** Default 200. Bounds the generator's memory: one set is built before it is written. */
  claimsPerTransaction?: number;
  /** Default 2. */
  transactionsPerInterchange?: number;
  /** Default '5010'. */
  version?: '5010' | '4010';
  /** Start the file with a UTF-8 byte-order mark. */
  bom?: boolean;
  /** Add a 999 (997 in 4010) functional group to every interchange, which a reader must skip. */
  otherTransactionSets?: boolean;
  /** Characters per streamed chunk. Default 65,536. */
  chunkSize?: number;
  /**
   * CLP01 of the file's n-th claim is PL followed by n + firstClaim, seven digits (default 0: PL0000001 first),
   * so several files can carry different claims of one set of claims (the benchmark seeds them with
   * `ledger seed --claims`).
   */
  firstClaim?: number;
  /** The payment date (BPR16, DTM*405), YYYYMMDD; default a random day of 2025–2026. */
  paymentDate?: string;
  /**
   * Only these CLP02 codes, picked at random (no reversals unless '22' is listed); default every code, the
   * first claims covering them all.
   */
  statuses?: readonly GeneratedStatus[];
}

export interface GeneratedTransactionTotals {
  controlNumber: string;
  claimCount: number;
  claimPaidCents: number;
  providerAdjustmentCents: number;
  /** BPR02, signed (negative when BPR03 is D). */
  paymentCents: number;
}

/** What a correct reader finds in the generated file. */
export interface Generated835Totals {
  interchanges: number;
  transactions: number;
  /** 999/997 sets a reader skips. */
  skippedTransactions: number;
  claimCount: number;
  serviceLineCount: number;
  /** ΣCLP04. */
  claimPaidCents: number;
  /** ΣPLB. */
  providerAdjustmentCents: number;
  /** ΣBPR02, signed. Always claimPaidCents − providerAdjustmentCents. */
  paymentCents: number;
  claimCountByStatus: Partial<Record<GeneratedStatus, number>>;
  perTransaction: GeneratedTransactionTotals[];
}

export interface Generated835 {
  text: string;
  totals: Generated835Totals;
}

export interface Generated835Stream {
  chunks: Generator<string, void, undefined>;
  /** Filled in as `chunks` is consumed; complete once it is exhausted. */
  totals: Generated835Totals;
}

/** A whole synthetic 835 file in memory, with its totals. */
export function generate835(options: Generate835Options): Generated835 {
  const stream = generate835Stream(options);
  let text = '';
  for (const chunk of stream.chunks) text += chunk;
  return { text, totals: stream.totals };
}

/**
 * The same file as a stream of chunks (any size: a 100 MB benchmark file
 * never sits in memory whole). Pass `chunks` straight to `read835`/`stream835`,
 * or write it to a file.
 */
export function generate835Stream(options: Generate835Options): Generated835Stream {
  const totals: Generated835Totals = {
    interchanges: 0,
    transactions: 0,
    skippedTransactions: 0,
    claimCount: 0,
    serviceLineCount: 0,
    claimPaidCents: 0,
    providerAdjustmentCents: 0,
    paymentCents: 0,
    claimCountByStatus: {},
    perTransaction: [],
  };
  return { chunks: writeFile(options, totals), totals };
}

// ---------------------------------------------------------------------------

/**
 * xorshift32 over a scrambled seed: small, fast, and the same numbers on
 * every machine (Math.random would make failures impossible to replay).
 */
class Random {
  #state: number;

  constructor(seed: number) {
    let s = (seed | 0) ^ 0x9e3779b9;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35);
    s ^= s >>> 16;
    this.#state = s >>> 0 || 0x6d2b79f5;
  }

  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** An integer from min to max, both included. */
  int(min: number, max: number): number {
    return min + (this.next() % (max - min + 1));
  }

  /** True with the given percent probability. */
  chance(percent: number): boolean {
    return this.int(1, 100) <= percent;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.next() % items.length]!;
  }
}

const LAST_NAMES = ['SMITH', 'JOHNSON', 'GARCIA', 'NGUYEN', 'PATEL', 'OKAFOR', 'KOWALSKI', 'MURPHY', 'ROSSI', 'TANAKA', 'LEE', 'DUBOIS'];
const FIRST_NAMES = ['ANNA', 'JAMES', 'MARIA', 'WEI', 'PRIYA', 'CHIDI', 'JAN', 'SEAN', 'LUCA', 'YUKI', 'GRACE', 'LEA'];
const PROCEDURES = ['99213', '99214', '99203', '93000', '85025', '80053', '36415', '71046', '97110', '20610', 'G0439', 'J3301'];
const MODIFIERS = ['25', '59', '26', 'TC', 'LT', 'RT'];
const PAYERS = [
  { name: 'ACME HEALTH PLAN', id: '60054' },
  { name: 'BLUE RIVER MUTUAL', id: '00590' },
  { name: 'STATE MEDICAID AGENCY', id: 'SKNY0' },
];
const DENIAL_REASONS = ['16', '29', '50', '96', '197'];
const FILING_INDICATORS = ['12', 'CI', 'MB', 'MC', 'HM', 'BL'];

interface Line {
  procedure: string;
  modifiers: string[];
  chargeCents: number;
  paidCents: number;
  units: number | null;
  date: string;
  controlNumber: string;
  cas: Cas[];
}

interface Cas {
  group: string;
  /** reason, amount pairs (quantity left empty). */
  items: [string, number][];
}

interface Claim {
  patientControlNumber: string;
  status: GeneratedStatus;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  filingIndicator: string;
  payerClaimNumber: string;
  lastName: string;
  firstName: string;
  memberId: string;
  from: string;
  to: string;
  claimCas: Cas[];
  lines: Line[];
}

function* writeFile(options: Generate835Options, totals: Generated835Totals): Generator<string, void, undefined> {
  const rng = new Random(options.seed);
  const claimsPerTransaction = Math.max(1, options.claimsPerTransaction ?? 200);
  const transactionsPerInterchange = Math.max(1, options.transactionsPerInterchange ?? 2);
  const version = options.version ?? '5010';
  const chunkSize = Math.max(1024, options.chunkSize ?? 65_536);
  const transactionCount = Math.max(1, Math.ceil(options.claims / claimsPerTransaction));
  const interchangeCount = Math.ceil(transactionCount / transactionsPerInterchange);

  let out = options.bom ? '\uFEFF' : '';
  let claimsLeft = options.claims;
  let claimIndex = 0;
  let transactionIndex = 0;
  // Recent processed claims, for reversals to refer back to.
  const history: Claim[] = [];

  for (let interchange = 0; interchange < interchangeCount; interchange++) {
    const profile = pickProfile(options.profile ?? 'standard', interchange);
    const w = (elements: readonly (string | number)[]): string =>
      elements.join(profile.element) + profile.segment + profile.between;
    const isaControl = String(100_000_000 + (Math.abs(options.seed) % 800_000_000) + interchange).slice(-9).padStart(9, '0');
    const payer = rng.pick(PAYERS);
    const date = randomDate(rng);
    const yymmdd = date.slice(2);

    out += w([
      'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', pad(payer.id, 15), 'ZZ', pad('PATIENTLEDGER', 15),
      yymmdd, '1200', version === '5010' ? profile.repetition : 'U', version === '5010' ? '00501' : '00401',
      isaControl, '0', 'P', profile.component,
    ]);
    totals.interchanges++;
    let groups = 0;

    const groupControl = String(interchange * 10 + 1);
    out += w(['GS', 'HP', payer.id, 'PATIENTLEDGER', date, '1200', groupControl, 'X', version === '5010' ? '005010X221A1' : '004010X091A1']);
    groups++;
    let sets = 0;
    for (let t = 0; t < transactionsPerInterchange && transactionIndex < transactionCount; t++, transactionIndex++) {
      const claimsHere = Math.min(claimsPerTransaction, claimsLeft);
      claimsLeft -= claimsHere;
      const controlNumber = String(t + 1).padStart(4, '0');
      const built = buildTransaction(rng, profile, version, controlNumber, payer, claimsHere, claimIndex, history, options);
      claimIndex += claimsHere;
      sets++;
      for (const segment of built.segments) {
        out += w(segment);
        if (out.length >= chunkSize) {
          yield out;
          out = '';
        }
      }
      totals.transactions++;
      totals.claimCount += built.totals.claimCount;
      totals.serviceLineCount += built.serviceLineCount;
      totals.claimPaidCents += built.totals.claimPaidCents;
      totals.providerAdjustmentCents += built.totals.providerAdjustmentCents;
      totals.paymentCents += built.totals.paymentCents;
      for (const [status, count] of Object.entries(built.statusCounts) as [GeneratedStatus, number][]) {
        totals.claimCountByStatus[status] = (totals.claimCountByStatus[status] ?? 0) + count;
      }
      totals.perTransaction.push(built.totals);
    }
    out += w(['GE', sets, groupControl]);

    if (options.otherTransactionSets) {
      const ackControl = String(interchange * 10 + 2);
      const ackVersion = version === '5010' ? '005010X231A1' : '004010';
      out += w(['GS', 'FA', payer.id, 'PATIENTLEDGER', date, '1200', ackControl, 'X', ackVersion]);
      out += w(version === '5010' ? ['ST', '999', '0001', ackVersion] : ['ST', '997', '0001']);
      out += w(['AK1', 'HC', '1', version === '5010' ? '005010X222A1' : '004010X098A1']);
      out += w(['AK9', 'A', '1', '1', '1']);
      out += w(['SE', 4, '0001']);
      out += w(['GE', 1, ackControl]);
      groups++;
      totals.skippedTransactions++;
    }
    out += w(['IEA', groups, isaControl]);
    if (out.length >= chunkSize) {
      yield out;
      out = '';
    }
  }
  if (out.length > 0) yield out;
}

interface BuiltTransaction {
  segments: (string | number)[][];
  totals: GeneratedTransactionTotals;
  statusCounts: Partial<Record<GeneratedStatus, number>>;
  serviceLineCount: number;
}

function buildTransaction(
  rng: Random,
  profile: DelimiterProfile,
  version: '5010' | '4010',
  controlNumber: string,
  payer: { name: string; id: string },
  claimCount: number,
  firstClaimIndex: number,
  history: Claim[],
  options: Pick<Generate835Options, 'firstClaim' | 'paymentDate' | 'statuses'> = {},
): BuiltTransaction {
  const claims: Claim[] = [];
  const claimId = (index: number) => claimIdOf(index + (options.firstClaim ?? 0));
  let correctionOf: Claim | null = null;
  for (let i = 0; i < claimCount; i++) {
    const index = firstClaimIndex + i;
    let claim: Claim;
    if (correctionOf) {
      // The re-adjudication that usually follows a reversal: same claim, new amounts.
      claim = processedClaim(rng, '1', correctionOf.patientControlNumber, index);
      correctionOf = null;
    } else {
      const status: GeneratedStatus = options.statuses ? rng.pick(options.statuses) : index < GENERATED_STATUSES.length ? GENERATED_STATUSES[index]! : randomStatus(rng);
      if (status === '22') {
        const original = history.length > 0 ? rng.pick(history) : processedClaim(rng, '1', claimId(index), index);
        claim = reversalOf(original);
        if (rng.chance(50)) correctionOf = original;
      } else if (status === '4') {
        claim = deniedClaim(rng, claimId(index));
      } else if (status === '23') {
        claim = notOurClaim(rng, claimId(index));
      } else {
        claim = processedClaim(rng, status, claimId(index), index);
      }
    }
    if (claim.status !== '22' && claim.status !== '4' && claim.status !== '23') {
      history.push(claim);
      if (history.length > 50) history.shift();
    }
    claims.push(claim);
  }

  const npi = String(1_000_000_000 + rng.int(0, 899_999_999));
  const taxId = String(rng.int(100_000_000, 999_999_999));
  const claimPaidCents = claims.reduce((sum, c) => sum + c.paidCents, 0);
  const plb = providerAdjustments(rng, claims);
  const providerAdjustmentCents = plb.reduce((sum, segment) => sum + segment.items.reduce((s, [, , amount]) => s + amount, 0), 0);
  const paymentCents = claimPaidCents - providerAdjustmentCents;
  const randomDay = randomDate(rng);
  const date = options.paymentDate ?? randomDay;

  const segments: (string | number)[][] = [];
  segments.push(version === '5010' ? ['ST', '835', controlNumber, '005010X221A1'] : ['ST', '835', controlNumber]);
  segments.push(paymentSegment(rng, paymentCents, date, taxId));
  segments.push(['TRN', '1', `${rng.int(10_000_000, 99_999_999)}${controlNumber}`, `1${taxId}`]);
  segments.push(['REF', 'EV', 'PATIENTLEDGER']);
  segments.push(['DTM', '405', date]);
  segments.push(version === '5010' ? ['N1', 'PR', payer.name, 'XV', payer.id] : ['N1', 'PR', payer.name]);
  segments.push(['N3', '100 MAIN STREET']);
  segments.push(['N4', 'SPRINGFIELD', 'IL', '62701']);
  segments.push(['REF', '2U', payer.id]);
  segments.push(['PER', 'BL', 'PROVIDER SERVICES', 'TE', '8005551212']);
  segments.push(['N1', 'PE', 'RIVERSIDE FAMILY PRACTICE', 'XX', npi]);
  segments.push(['REF', 'TJ', taxId]);

  const statusCounts: Partial<Record<GeneratedStatus, number>> = {};
  let serviceLineCount = 0;
  claims.forEach((claim, i) => {
    if (i % 50 === 0) segments.push(['LX', String(i / 50 + 1)]);
    statusCounts[claim.status] = (statusCounts[claim.status] ?? 0) + 1;
    serviceLineCount += claim.lines.length;
    writeClaim(rng, profile, claim, segments);
  });

  for (const segment of plb) {
    const elements: (string | number)[] = ['PLB', npi, '20261231'];
    for (const [code, reference, amount] of segment.items) {
      elements.push(reference === null ? code : code + profile.component + reference, formatAmount(rng, amount));
    }
    segments.push(elements);
  }
  segments.push(['SE', segments.length + 1, controlNumber]);

  return {
    segments,
    totals: { controlNumber, claimCount: claims.length, claimPaidCents, providerAdjustmentCents, paymentCents },
    statusCounts,
    serviceLineCount,
  };
}

function writeClaim(rng: Random, profile: DelimiterProfile, claim: Claim, segments: (string | number)[][]): void {
  const amount = (cents: number): string => formatAmount(rng, cents);
  segments.push([
    'CLP', claim.patientControlNumber, claim.status, amount(claim.chargeCents), amount(claim.paidCents),
    claim.patientResponsibilityCents === 0 && rng.chance(50) ? '' : amount(claim.patientResponsibilityCents),
    claim.filingIndicator, claim.payerClaimNumber, '11', '1',
  ]);
  for (const cas of claim.claimCas) segments.push(casSegment(rng, cas));
  segments.push(['NM1', 'QC', '1', claim.lastName, claim.firstName, '', '', '', 'MI', claim.memberId]);
  if (rng.chance(30)) segments.push(['NM1', '82', '1', 'HOUSE', 'GREGORY', '', '', '', 'XX', '1234567893']);
  segments.push(['DTM', '232', claim.from]);
  segments.push(['DTM', '233', claim.to]);
  if (rng.chance(40)) segments.push(['AMT', 'AU', amount(Math.abs(claim.chargeCents))]);
  for (const line of claim.lines) {
    const composite = ['HC', line.procedure, ...line.modifiers].join(profile.component);
    segments.push(['SVC', composite, amount(line.chargeCents), amount(line.paidCents), '', line.units === null ? '' : String(line.units)]);
    segments.push(['DTM', '472', line.date]);
    for (const cas of line.cas) segments.push(casSegment(rng, cas));
    segments.push(['REF', '6R', line.controlNumber]);
    if (rng.chance(30)) segments.push(['LQ', 'HE', 'N130']);
  }
}

function casSegment(rng: Random, cas: Cas): (string | number)[] {
  const elements: (string | number)[] = ['CAS', cas.group];
  for (const [reason, amount] of cas.items) elements.push(reason, formatAmount(rng, amount), '');
  // Trailing empty quantities are not written.
  while (elements[elements.length - 1] === '') elements.pop();
  return elements;
}

function paymentSegment(rng: Random, netCents: number, date: string, taxId: string): (string | number)[] {
  if (netCents === 0) return ['BPR', 'H', '0', 'C', 'NON', '', '', '', '', '', '', '', '', '', '', '', date];
  // A net debit (reversals outweigh payments) is money the payer takes back.
  const creditDebit = netCents < 0 ? 'D' : 'C';
  const amount = formatAmount(rng, Math.abs(netCents));
  if (rng.chance(50)) return ['BPR', 'I', amount, creditDebit, 'CHK', '', '', '', '', '', '', '', '', '', '', '', date];
  return ['BPR', 'I', amount, creditDebit, 'ACH', 'CCP', '01', '071000013', 'DA', '218857199', `1${taxId}`, '', '01', '124384877', 'DA', '1234567890', date];
}

function processedClaim(rng: Random, status: GeneratedStatus, patientControlNumber: string, index: number): Claim {
  const secondary = status === '2' || status === '3' || status === '20' || status === '21';
  const lineCount = rng.int(1, 4);
  const date = randomDate(rng);
  const lines: Line[] = [];
  for (let i = 0; i < lineCount; i++) {
    const chargeCents = rng.int(2_000, 90_000);
    const allowed = Math.floor((chargeCents * rng.int(55, 95)) / 100);
    const deductible = rng.chance(30) ? rng.int(0, Math.floor(allowed / 2)) : 0;
    const coinsurance = rng.chance(50) ? Math.floor(((allowed - deductible) * 20) / 100) : 0;
    const copay = rng.chance(20) ? Math.min(2_500, allowed - deductible - coinsurance) : 0;
    const paidCents = allowed - deductible - coinsurance - copay;
    const cas: Cas[] = [];
    if (chargeCents - allowed > 0) cas.push({ group: secondary && rng.chance(50) ? 'OA' : 'CO', items: [[secondary ? '23' : '45', chargeCents - allowed]] });
    const pr: [string, number][] = [];
    if (deductible > 0) pr.push(['1', deductible]);
    if (coinsurance > 0) pr.push(['2', coinsurance]);
    if (copay > 0) pr.push(['3', copay]);
    if (pr.length > 0) cas.push({ group: 'PR', items: pr });
    lines.push({
      procedure: rng.pick(PROCEDURES),
      modifiers: rng.chance(25) ? [rng.pick(MODIFIERS)] : [],
      chargeCents,
      paidCents,
      units: rng.chance(80) ? rng.int(1, 3) : null,
      date,
      controlNumber: `${patientControlNumber}-${i + 1}`,
      cas,
    });
  }
  const claim = claimOf(rng, status, patientControlNumber, index, date, lines);
  // Institutional style: some payers report the adjustments at claim level only.
  if (rng.chance(15)) {
    const claimCas = mergeCas(lines.flatMap((line) => line.cas));
    return { ...claim, lines: [], claimCas };
  }
  return claim;
}

function deniedClaim(rng: Random, patientControlNumber: string): Claim {
  const date = randomDate(rng);
  const reason = rng.pick(DENIAL_REASONS);
  const lines: Line[] = [];
  for (let i = 0, n = rng.int(1, 3); i < n; i++) {
    const chargeCents = rng.int(2_000, 60_000);
    lines.push({
      procedure: rng.pick(PROCEDURES),
      modifiers: [],
      chargeCents,
      paidCents: 0,
      units: 1,
      date,
      controlNumber: `${patientControlNumber}-${i + 1}`,
      cas: [{ group: 'CO', items: [[reason, chargeCents]] }],
    });
  }
  return claimOf(rng, '4', patientControlNumber, 0, date, lines);
}

function notOurClaim(rng: Random, patientControlNumber: string): Claim {
  const date = randomDate(rng);
  const chargeCents = rng.int(5_000, 80_000);
  const claim = claimOf(rng, '23', patientControlNumber, 0, date, []);
  return { ...claim, chargeCents, claimCas: [{ group: 'OA', items: [['109', chargeCents]] }] };
}

/** A reversal states the original claim with every amount negated. */
function reversalOf(original: Claim): Claim {
  const negate = (cas: Cas): Cas => ({ group: cas.group, items: cas.items.map(([reason, amount]) => [reason, -amount]) });
  return {
    ...original,
    status: '22',
    chargeCents: -original.chargeCents,
    paidCents: -original.paidCents,
    patientResponsibilityCents: -original.patientResponsibilityCents,
    claimCas: original.claimCas.map(negate),
    lines: original.lines.map((line) => ({ ...line, chargeCents: -line.chargeCents, paidCents: -line.paidCents, cas: line.cas.map(negate) })),
  };
}

function claimOf(rng: Random, status: GeneratedStatus, patientControlNumber: string, index: number, date: string, lines: Line[]): Claim {
  const pr = lines.flatMap((line) => line.cas).filter((cas) => cas.group === 'PR');
  return {
    patientControlNumber,
    status,
    chargeCents: lines.reduce((sum, line) => sum + line.chargeCents, 0),
    paidCents: lines.reduce((sum, line) => sum + line.paidCents, 0),
    patientResponsibilityCents: pr.reduce((sum, cas) => sum + cas.items.reduce((s, [, amount]) => s + amount, 0), 0),
    filingIndicator: rng.pick(FILING_INDICATORS),
    payerClaimNumber: `${rng.int(10_000_000, 99_999_999)}${index}`,
    lastName: rng.pick(LAST_NAMES),
    firstName: rng.pick(FIRST_NAMES),
    memberId: `M${rng.int(100_000_000, 999_999_999)}`,
    from: date,
    to: date,
    claimCas: [],
    lines,
  };
}

/** One CAS per group, at most six reasons each. */
function mergeCas(all: readonly Cas[]): Cas[] {
  const byGroup = new Map<string, Map<string, number>>();
  for (const cas of all) {
    const reasons = byGroup.get(cas.group) ?? new Map<string, number>();
    for (const [reason, amount] of cas.items) reasons.set(reason, (reasons.get(reason) ?? 0) + amount);
    byGroup.set(cas.group, reasons);
  }
  return [...byGroup].map(([group, reasons]) => ({ group, items: [...reasons].slice(0, 6) }));
}

interface Plb {
  /** reason code, the claim it is about (or null), amount. */
  items: [string, string | null, number][];
}

function providerAdjustments(rng: Random, claims: readonly Claim[]): Plb[] {
  // An empty remittance is a plain notification.
  if (claims.length === 0 || !rng.chance(40)) return [];
  const result: Plb[] = [];
  for (let s = 0, n = rng.int(1, 2); s < n; s++) {
    const items: Plb['items'] = [];
    for (let p = 0, m = rng.int(1, 3); p < m; p++) {
      const kind = rng.int(0, 4);
      const reference = claims.length > 0 ? rng.pick(claims).patientControlNumber : `REF${rng.int(1000, 9999)}`;
      if (kind === 0) items.push(['WO', reference, rng.int(100, 5_000)]); // overpayment recovery: reduces the payment
      else if (kind === 1) items.push(['L6', null, -rng.int(1, 900)]); // interest: adds to the payment
      else if (kind === 2) items.push(['FB', reference, rng.int(-3_000, 3_000)]); // forward balance, either way
      else if (kind === 3) items.push(['CS', null, rng.int(-2_000, 2_000)]);
      else items.push(['72', reference, rng.int(100, 2_000)]);
    }
    result.push({ items });
  }
  return result;
}

function randomStatus(rng: Random): GeneratedStatus {
  const roll = rng.int(1, 100);
  if (roll <= 50) return '1';
  if (roll <= 60) return '2';
  if (roll <= 63) return '3';
  if (roll <= 71) return '4';
  if (roll <= 81) return '19';
  if (roll <= 86) return '20';
  if (roll <= 88) return '21';
  if (roll <= 95) return '22';
  return '23';
}

/**
 * Amounts in the spellings real files use: "150.50", "150.5", "150", ".05",
 * "-12.3", so the reader's decimal parsing gets exercised.
 */
function formatAmount(rng: Random, cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.trunc(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  const style = rng.int(0, 3);
  if (style <= 1) return `${sign}${whole}.${fraction}`;
  if (fraction === '00') return `${sign}${whole}`;
  const trimmed = fraction.endsWith('0') ? fraction.slice(0, 1) : fraction;
  return `${sign}${style === 3 && whole === 0 ? '' : whole}.${trimmed}`;
}

function claimIdOf(index: number): string {
  return `PL${String(index + 1).padStart(7, '0')}`;
}

function randomDate(rng: Random): string {
  const year = rng.pick(['2025', '2026']);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  return `${year}${month}${day}`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width, ' ').slice(0, width);
}

function pickProfile(choice: DelimiterProfileName | 'mixed', interchange: number): DelimiterProfile {
  if (choice === 'mixed') return DELIMITER_PROFILES[DELIMITER_PROFILE_NAMES[interchange % DELIMITER_PROFILE_NAMES.length]!];
  return DELIMITER_PROFILES[choice];
}
