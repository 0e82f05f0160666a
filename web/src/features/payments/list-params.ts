import { PAYMENT_SORTS, type PaymentSort, type PaymentStatus, type SortOrder } from '../../api/types';
import { paymentStatuses } from './labels';

/** The payments list's filters, kept in the URL so they survive reloads and back buttons. */
export interface PaymentListParams {
  status: PaymentStatus[];
  locationId: string | null;
  search: string;
  sort: PaymentSort;
  order: SortOrder;
  page: number;
  pageSize: number;
}

export const defaultListParams: PaymentListParams = {
  status: [],
  locationId: null,
  search: '',
  sort: 'createdAt',
  order: 'desc',
  page: 1,
  pageSize: 25,
};

/** The direction a column sorts in when first clicked: newest, largest, latest first for those. */
export const firstSortOrder: Record<PaymentSort, SortOrder> = {
  createdAt: 'desc',
  amount: 'desc',
  dueDate: 'asc',
  status: 'asc',
  patientName: 'asc',
};

function positiveInt(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function readListParams(search: URLSearchParams): PaymentListParams {
  const status = (search.get('status') ?? '')
    .split(',')
    .filter((s): s is PaymentStatus => (paymentStatuses as readonly string[]).includes(s));
  const sort = search.get('sort');
  const order = search.get('order');
  return {
    status,
    locationId: search.get('locationId') || null,
    search: search.get('search') ?? '',
    sort: (PAYMENT_SORTS as readonly string[]).includes(sort ?? '') ? (sort as PaymentSort) : defaultListParams.sort,
    order: order === 'asc' || order === 'desc' ? order : defaultListParams.order,
    page: positiveInt(search.get('page'), 1),
    pageSize: Math.min(positiveInt(search.get('pageSize'), defaultListParams.pageSize), 100),
  };
}

export function writeListParams(params: PaymentListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.status.length) out.set('status', params.status.join(','));
  if (params.locationId) out.set('locationId', params.locationId);
  if (params.search) out.set('search', params.search);
  if (params.sort !== defaultListParams.sort || params.order !== defaultListParams.order) {
    out.set('sort', params.sort);
    out.set('order', params.order);
  }
  if (params.page !== 1) out.set('page', String(params.page));
  if (params.pageSize !== defaultListParams.pageSize) out.set('pageSize', String(params.pageSize));
  return out;
}

/** The API query for the list (and, without page/pageSize, for the CSV export). */
export function toApiQuery(params: PaymentListParams, withPaging = true) {
  return {
    status: params.status,
    locationId: params.locationId,
    search: params.search.trim(),
    sort: params.sort,
    order: params.order,
    ...(withPaging ? { page: params.page, pageSize: params.pageSize } : {}),
  };
}
