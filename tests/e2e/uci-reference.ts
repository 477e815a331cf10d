import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * A brute-force reference for the UCI Online Retail file, independent of the
 * loader and the engine: rows are grouped by invoice and every figure is
 * recomputed from the raw invoices. December 2010 in London is GMT, so the
 * file's naive local times are UTC.
 */
export interface ReferenceInvoice {
  invoiceNo: string;
  customerId: string | null;
  timeMs: number;
  /** Sum of Quantity × UnitPrice over its lines, in pence. */
  revenuePence: number;
  cancellation: boolean;
}

const DAY_MS = 86_400_000;

/** Reads every invoice of the file; an invoice's time is its earliest line's. */
export function readReferenceInvoices(file: string): ReferenceInvoice[] {
  const rows: Record<string, string>[] = parse(readFileSync(file), { columns: true });
  const invoices = new Map<string, ReferenceInvoice>();
  for (const row of rows) {
    const timeMs = Date.parse(`${row.InvoiceDate!.replace(' ', 'T')}Z`);
    const linePence = Math.round(Number(row.Quantity) * Number(row.UnitPrice) * 100);
    const invoice = invoices.get(row.InvoiceNo!);
    if (invoice) {
      invoice.revenuePence += linePence;
      invoice.timeMs = Math.min(invoice.timeMs, timeMs);
      continue;
    }
    invoices.set(row.InvoiceNo!, {
      invoiceNo: row.InvoiceNo!,
      customerId: row.CustomerID ? String(Math.trunc(Number(row.CustomerID))) : null,
      timeMs,
      revenuePence: linePence,
      cancellation: row.InvoiceNo!.startsWith('C'),
    });
  }
  return [...invoices.values()];
}

/** Net revenue of every invoice, in pence. */
export function netRevenuePence(invoices: ReferenceInvoice[]): number {
  return invoices.reduce((sum, i) => sum + i.revenuePence, 0);
}

/** A customer's spend (pence) and order count over [t − days, t). */
export function customerWindow(
  invoices: ReferenceInvoice[],
  customerId: string,
  atMs: number,
  days: number,
): { spendPence: number; orders: number } {
  let spendPence = 0;
  let orders = 0;
  for (const i of invoices) {
    if (i.customerId !== customerId || i.timeMs < atMs - days * DAY_MS || i.timeMs >= atMs) {
      continue;
    }
    spendPence += i.revenuePence;
    if (!i.cancellation) orders += 1;
  }
  return { spendPence, orders };
}

/** Customers with at least `min` orders (not cancellations) in [t − days, t), sorted. */
export function customersWithOrders(
  invoices: ReferenceInvoice[],
  atMs: number,
  days: number,
  min: number,
): string[] {
  const counts = new Map<string, number>();
  for (const i of invoices) {
    if (!i.customerId || i.cancellation) continue;
    if (i.timeMs < atMs - days * DAY_MS || i.timeMs >= atMs) continue;
    counts.set(i.customerId, (counts.get(i.customerId) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, n]) => n >= min)
    .map(([id]) => id)
    .sort();
}

/** The `n` customers with the most invoices, ties by id. */
export function mostActiveCustomers(invoices: ReferenceInvoice[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const i of invoices)
    if (i.customerId) counts.set(i.customerId, (counts.get(i.customerId) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([id]) => id);
}

/** Customers with at least `min` orders whose time lies in [startMs, endMs], sorted. */
export function customersWithOrdersBetween(
  invoices: ReferenceInvoice[],
  startMs: number,
  endMs: number,
  min: number,
): string[] {
  const counts = new Map<string, number>();
  for (const i of invoices) {
    if (!i.customerId || i.cancellation || i.timeMs < startMs || i.timeMs > endMs) continue;
    counts.set(i.customerId, (counts.get(i.customerId) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, n]) => n >= min)
    .map(([id]) => id)
    .sort();
}
