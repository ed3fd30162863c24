import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The lab files first. Each boots a lab and takes one to three minutes; the other integration
 * files take seconds. Started last, a long lab file would run alone at the end while the other
 * workers idle; started first, the short files fill the gaps around them. Vitest orders by
 * the durations it cached on an earlier run, which a fresh clone (CI) does not have.
 */
export default class LabsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLab = (spec: TestSpecification) => /[\\/]test[\\/]integration[\\/]labs[\\/]/.test(spec.moduleId);
    return [...sorted.filter(isLab), ...sorted.filter((spec) => !isLab(spec))];
  }
}
