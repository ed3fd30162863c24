import { z } from 'zod';
import { LabSchema } from '../lab/schema';
import { PIN_VERSION } from './pin';

/**
 * A pin as pin.ts writes it, checked when it is read back. Apart from pin.ts, which loads it only
 * then: the lab's schema is every part's and check's, and `up`, which only writes a pin, needs none.
 */

export const PinSchema = z.object({
  version: z.literal(PIN_VERSION),
  sessionId: z.string(),
  /** The lab file it was booted from, and the sha256 of the text that was parsed. */
  file: z.string(),
  sha256: z.string(),
  lab: LabSchema,
  /** A break-fix lab's fault made at boot (lab/faults.ts); absent for other labs. */
  fault: z.string().optional(),
});

export type LabPin = z.infer<typeof PinSchema>;
