import type { MantineColor } from '@mantine/core';
import type { PostedClaim } from '../../api/types';

/** CLP02, the claim status code of an 835 (SPEC section 6). */
const claimStatusCodes: Record<string, string> = {
  '1': 'Processed as primary',
  '2': 'Processed as secondary',
  '3': 'Processed as tertiary',
  '4': 'Denied',
  '19': 'Primary, forwarded',
  '20': 'Secondary, forwarded',
  '21': 'Tertiary, forwarded',
  '22': 'Reversal',
  '23': 'Not our claim',
};

export function claimStatusCodeLabel(code: string): string {
  const label = claimStatusCodes[code];
  return label ? `${code} · ${label}` : code;
}

export const outcomeLabels: Record<PostedClaim['outcome'], string> = {
  posted: 'Posted',
  denied: 'Denied',
  reversal: 'Reversal',
  exception: 'Exception',
  duplicate: 'Duplicate',
};

export const outcomeColors: Record<PostedClaim['outcome'], MantineColor> = {
  posted: 'green',
  denied: 'orange',
  reversal: 'grape',
  exception: 'red',
  duplicate: 'gray',
};
