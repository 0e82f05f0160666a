/**
 * Writes small, exact X12 5010 835 files: our claims' control numbers and the
 * amounts a scenario needs (posting tests, demo data). For large random files
 * use generate-835.ts.
 */
export interface Clp {
  controlNumber: string;
  status: string;
  chargeCents: number;
  paidCents: number;
  patientResponsibilityCents?: number;
  adjustments?: Array<{ group: string; reason: string; amountCents: number }>;
  lines?: Array<{ cpt: string; chargeCents: number; paidCents: number; adjustments?: Array<{ group: string; reason: string; amountCents: number }> }>;
  /** RARC remark codes, sent as MOA03… */
  remarks?: string[];
}

export interface Era {
  payerName: string;
  payerId: string;
  traceNumber: string;
  paymentDate: string;
  claims: Clp[];
  plb?: Array<{ reason: string; reference?: string; amountCents: number }>;
  /** Overrides BPR02 (to make a file that does not balance). */
  paymentCents?: number;
}

export function dollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `envelope` sets the interchange, group and set control numbers: the same content in another envelope. */
export function build835(eras: Era[], options: { lineBreaks?: boolean; envelope?: number } = {}): string {
  const isa13 = String(options.envelope ?? 101).padStart(9, '0');
  const gs06 = String(options.envelope ?? 101);
  const segments: string[] = [];
  const date = (d: string) => d.replaceAll('-', '');
  segments.push(`ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*LEDGERRECEIVER *260301*1200*^*00501*${isa13}*0*P*:`);
  segments.push(`GS*HP*PAYER*LEDGER*20260301*1200*${gs06}*X*005010X221A1`);
  eras.forEach((era, index) => {
    const st: string[] = [];
    const claimTotal = era.claims.reduce((s, c) => s + c.paidCents, 0);
    const plbTotal = (era.plb ?? []).reduce((s, p) => s + p.amountCents, 0);
    const payment = era.paymentCents ?? claimTotal - plbTotal;
    const control = String((options.envelope ?? 1) * 1000 + 1 + index);
    st.push(`ST*835*${control}`);
    st.push(`BPR*I*${dollars(payment)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*${date(era.paymentDate)}`);
    st.push(`TRN*1*${era.traceNumber}*1${era.payerId}`);
    st.push(`DTM*405*${date(era.paymentDate)}`);
    st.push(`N1*PR*${era.payerName}*XV*${era.payerId}`);
    st.push('N1*PE*RIVERSIDE FAMILY MEDICINE*XX*1234567893');
    st.push('LX*1');
    for (const c of era.claims) {
      st.push(`CLP*${c.controlNumber}*${c.status}*${dollars(c.chargeCents)}*${dollars(c.paidCents)}*${dollars(c.patientResponsibilityCents ?? 0)}*12*PAYERCLAIM${c.controlNumber}*11*1`);
      for (const a of c.adjustments ?? []) st.push(`CAS*${a.group}*${a.reason}*${dollars(a.amountCents)}`);
      st.push('NM1*QC*1*DOE*JANE****MI*W123456789');
      if (c.remarks?.length) st.push(`MOA***${c.remarks.join('*')}`);
      for (const l of c.lines ?? []) {
        st.push(`SVC*HC:${l.cpt}*${dollars(l.chargeCents)}*${dollars(l.paidCents)}**1`);
        st.push('DTM*472*20260302');
        for (const a of l.adjustments ?? []) st.push(`CAS*${a.group}*${a.reason}*${dollars(a.amountCents)}`);
      }
    }
    if (era.plb?.length) {
      st.push(`PLB*1234567893*20261231*${era.plb.map((p) => `${p.reason}:${p.reference ?? 'REF'}*${dollars(p.amountCents)}`).join('*')}`);
    }
    st.push(`SE*${st.length + 1}*${control}`);
    segments.push(...st);
  });
  segments.push(`GE*${eras.length}*${gs06}`);
  segments.push(`IEA*1*${isa13}`);
  return segments.join(options.lineBreaks === false ? '~' : '~\n') + '~\n';
}
