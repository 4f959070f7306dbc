/** Request schemas (zod) for the alerts API: validated at the edge, one source of truth for the shapes. */
import { z } from 'zod';
import { SEVERITIES } from '../domain/severity';

const label = z.string().max(1024);

export const createAlertBody = z.strictObject({
  summary: z.string().trim().min(1).max(1024),
  severity: z.enum(SEVERITIES),
  service: z.string().trim().min(1).max(200),
  source: z.string().trim().min(1).max(255),
  labels: z.record(z.string().max(256), label).default({}),
  details: z.record(z.string(), z.unknown()).default({}),
  links: z.array(z.strictObject({ href: z.url(), text: z.string().max(256).optional() })).max(20).default([]),
  dedup_key: z.string().trim().min(1).max(255).optional(),
});
export type CreateAlertBody = z.infer<typeof createAlertBody>;

export const transitionBody = z.strictObject({
  /** Who acts, when the key is shared by a team or a tool; recorded beside the key's name. */
  actor: z.string().trim().min(1).max(200).optional(),
  reason: z.string().trim().max(2000).optional(),
});

export const alertIdParams = z.object({ id: z.uuid() });

export const noteBody = z.strictObject({
  actor: z.string().trim().min(1).max(200).optional(),
  text: z.string().trim().min(1).max(10_000),
});

export const listAlertsQuery = z.strictObject({
  state: z.enum(['new', 'acknowledged', 'investigating', 'resolved']).optional(),
  severity: z.enum(SEVERITIES).optional(),
  service: z.string().min(1).max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Opaque cursor from the previous page's `next_cursor`. */
  cursor: z.string().max(200).optional(),
});
