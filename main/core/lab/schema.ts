import { z } from 'zod';
import { TopologySchema } from '../topology/schema';

/**
 * A lab file (`labs/<id>/lab.yaml`). This is the one definition of the format: the TypeScript
 * types are inferred from it and the published JSON Schema is generated from it.
 *
 * Parts so far: metadata and topology. The cloud, guide, objectives, hints and solution are
 * further top-level keys that slot in beside `topology`.
 */

export const LabIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'a lab id is 2–40 lowercase letters, digits and "-", starting with a letter');

/** Text shown to learners: plain English, or English with a Simplified Chinese translation. */
export const LocalizedTextSchema = z.union([
  z.string().min(1),
  z.object({ en: z.string().min(1), zh: z.string().min(1).optional() }).strict(),
]);

export const LabSchema = z
  .object({
    id: LabIdSchema,
    title: LocalizedTextSchema,
    summary: LocalizedTextSchema,
    topology: TopologySchema,
  })
  .strict();

export type Lab = z.infer<typeof LabSchema>;
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

export function textIn(text: LocalizedText, language: 'en' | 'zh' = 'en'): string {
  return typeof text === 'string' ? text : language === 'zh' ? (text.zh ?? text.en) : text.en;
}
