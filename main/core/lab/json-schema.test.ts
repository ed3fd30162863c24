import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labsDir } from '../paths';
import { labJsonSchema } from './json-schema';

describe('labs/lab.schema.json', () => {
  it('is exactly what the zod schema generates (regenerate: neutron-lab schema > labs/lab.schema.json)', () => {
    const committed = JSON.parse(readFileSync(join(labsDir(), 'lab.schema.json'), 'utf8'));
    expect(committed).toEqual(labJsonSchema());
  });

  it('describes the parts a lab author writes', () => {
    const schema = labJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['id', 'title', 'summary', 'topology']);
    expect(JSON.stringify(schema.properties.topology)).toContain('"enum":["management","data","external","provider"]');
  });
});
