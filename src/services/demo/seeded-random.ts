/** A small seeded PRNG (mulberry32): demo data is the same on every machine. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

export const firstNames = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Isabella', 'Lucas', 'Mia', 'Mateo', 'Amelia', 'Benjamin', 'Harper', 'Theo', 'Evelyn', 'Henry', 'Luna', 'Jack', 'Grace', 'Daniel', 'Chloe', 'Samuel', 'Nora', 'David', 'Zoe', 'Joseph', 'Maya', 'Carlos', 'Priya', 'Wei', 'Fatima', 'Kwame', 'Ingrid'];
export const lastNames = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Nguyen', 'Patel', 'Kim', 'Okafor', 'Schmidt', "O'Brien"];
export const payers = [
  { payerName: 'Blue Cross Blue Shield', payerId: 'BCBS01' },
  { payerName: 'Aetna', payerId: '60054' },
  { payerName: 'UnitedHealthcare', payerId: '87726' },
  { payerName: 'Cigna', payerId: '62308' },
  { payerName: 'Medicare Part B', payerId: 'MCRB1' },
  { payerName: 'Humana', payerId: '61101' },
];
export const procedures = [
  { cpt: '99213', chargeCents: 15000 },
  { cpt: '99214', chargeCents: 21500 },
  { cpt: '99203', chargeCents: 17500 },
  { cpt: '93000', chargeCents: 6500 },
  { cpt: '36415', chargeCents: 2500 },
  { cpt: '81002', chargeCents: 1800 },
  { cpt: '90471', chargeCents: 3500 },
  { cpt: '87880', chargeCents: 4200 },
];
export const physicians = ['Dr. Amara Osei', 'Dr. Helen Park', 'Dr. Rafael Ortiz', 'Dr. Sarah Cohen', 'Dr. Vikram Rao'];

/** A calendar date `daysAgo` days before `today` (both 'YYYY-MM-DD', UTC calendar arithmetic). */
export function daysBefore(today: string, daysAgo: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - daysAgo)).toISOString().slice(0, 10);
}
