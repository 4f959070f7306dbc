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
