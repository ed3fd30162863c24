import { z } from 'zod';
import { LabSchema } from './schema';

/**
 * The lab format as a JSON Schema, generated from the zod schema (never written by hand).
 * Editors use the copy in labs/lab.schema.json; a unit test keeps it equal to this.
 */
export function labJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(LabSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://neutron-lab.org/schemas/lab.schema.json',
    title: 'Neutron Lab lab file (labs/<id>/lab.yaml)',
  };
}
