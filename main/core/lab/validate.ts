import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { objectivesReferences } from './references';
import { renderCloud } from '../cloud/render';
import { validateCloud } from '../cloud/validate';
import type { Problem } from '../topology/validate';
import { selectorKey } from './parts';
import { asksRepair } from './faults';
import { fencedBlocks, followCommand } from './guide-follow';
import { LANGUAGES, objectivesOf, type Lab, type LocalizedText } from './schema';

/**
 * What the schema cannot check: the cloud's references and addresses (cloud/validate.ts, one
 * function per resource kind), then references between the steps, the objectives and the
 * cloud; parts that must exist; guide files and translations.
 * Missing translations are warnings: a lab without Chinese still runs.
 */
export function validateLab(lab: Lab, dir: string | undefined): Problem[] {
  const problems: Problem[] = [];
  const error = (path: (string | number)[], message: string) => problems.push({ path, message, severity: 'error' });
  const warn = (path: (string | number)[], message: string) => problems.push({ path, message, severity: 'warning' });

  problems.push(...validateCloud(lab));

  // ---- steps, parts, objectives -------------------------------------------------------
  const hasErrors = problems.some((p) => p.severity === 'error');
  const plan = hasErrors ? undefined : renderCloud(lab);
  const byKey = new Map(plan?.parts.map((p) => [p.key, p]));
  const builtBy = new Map<string, number>();
  const objectiveIds = new Set<string>();
  const stepIds = new Set<string>();
  lab.steps.forEach((step, s) => {
    if (stepIds.has(step.id)) error(['steps', s, 'id'], `step id "${step.id}" is used twice`);
    stepIds.add(step.id);
    localized(['steps', s, 'title'], step.title);
    // A sandbox's steps are chapters of its guide: the explorer builds, nothing is checked.
    if (lab.sandbox && step.builds.length > 0)
      error(['steps', s, 'builds'], 'a sandbox leaves no part to build: its agents build what openstack calls ask');
    if (lab.sandbox && step.objectives.length > 0)
      error(['steps', s, 'objectives'], 'a sandbox has no objectives: it is explored, not checked');
    step.builds.forEach((selector, b) => {
      const selected = selectorKey(lab, selector);
      if ('problem' in selected) {
        error(['steps', s, 'builds', b], selected.problem);
        return;
      }
      if (plan && !byKey.has(selected.key)) {
        const onNode = plan.parts.filter((p) => p.ref.node === selected.key.split('/')[0]).map((p) => p.key);
        error(
          ['steps', s, 'builds', b],
          `the cloud has no part ${selected.key}${onNode.length ? ` (its parts there: ${onNode.join(', ')})` : ''}`,
        );
        return;
      }
      const earlier = builtBy.get(selected.key);
      if (earlier !== undefined) error(['steps', s, 'builds', b], `${selected.key} is already built in step "${lab.steps[earlier]?.id}"`);
      builtBy.set(selected.key, s);
    });
    step.objectives.forEach((objective, o) => {
      const at = ['steps', s, 'objectives', o];
      if (objectiveIds.has(objective.id)) error([...at, 'id'], `objective id "${objective.id}" is used twice`);
      objectiveIds.add(objective.id);
      localized([...at, 'title'], objective.title);
      objective.hints.forEach((hint, h) => localized([...at, 'hints', h], hint));
      if (objective.hints.length === 0 && !objective.given) warn([...at, 'hints'], `objective "${objective.id}" has no hints`);
      for (const problem of objectivesReferences(objective.check, lab)) error([...at, 'check', ...problem.path], problem.message);
    });
    if (dir !== undefined) {
      for (const language of LANGUAGES) {
        const file = join('guide', language, `${step.id}.md`);
        if (existsSync(join(dir, file))) {
          for (const message of followProblems(readFileSync(join(dir, file), 'utf8'), file)) error(['steps', s, 'id'], message);
          continue;
        }
        if (language === 'en') error(['steps', s, 'id'], `step "${step.id}" has no guide: write ${file}`);
        else warn(['steps', s, 'id'], `step "${step.id}" has no ${language} guide yet (${file})`);
      }
    }
  });
  // A part built at boot cannot stand on one the learner has not built yet; nor can a step's
  // part stand on one a later step builds.
  if (plan) {
    for (const part of plan.parts) {
      const own = builtBy.get(part.key);
      for (const need of part.needs) {
        const step = builtBy.get(need);
        if (step === undefined || !byKey.has(need)) continue;
        if (own === undefined)
          error(
            ['steps', step, 'builds'],
            `${need} is left to the learner, but ${part.key}, built at boot, needs it: leave ${part.key} to the learner too`,
          );
        else if (step > own)
          error(
            ['steps', own, 'builds'],
            `${part.key} needs ${need}, which a later step ("${lab.steps[step]?.id}") builds: build ${need} first`,
          );
      }
    }
  }
  faultProblems();
  localized(['title'], lab.title);
  localized(['summary'], lab.summary);
  return problems;

  /** A guide's follow blocks (the app follows their packet): each names this lab, one of its VMs, and an address or VM. */
  function followProblems(markdown: string, file: string): string[] {
    const vms = Object.keys(lab.cloud.vms);
    const there = vms.length ? ` (there: ${vms.join(', ')})` : '';
    return fencedBlocks(markdown).flatMap(({ line, code }) => {
      const command = followCommand(code);
      if (!command) return [];
      const at = `${file}, line ${line}: the follow block`;
      const { from, to } = command.follow;
      return [
        ...(command.lab === lab.id ? [] : [`${at} names lab "${command.lab}", not this one (${lab.id})`]),
        ...(lab.cloud.vms[from] ? [] : [`${at} follows from "${from}", which is no VM of this lab${there}`]),
        ...(/^\d+\.\d+\.\d+\.\d+$/.test(to) || lab.cloud.vms[to]
          ? []
          : [`${at} follows to "${to}", which is neither an address nor a VM of this lab${there}`]),
      ];
    });
  }

  /** A break-fix lab's faults: on nodes it has, each checked by its own check, and asked for by an objective. */
  function faultProblems(): void {
    const nodes = Object.keys(lab.topology.nodes);
    for (const [name, fault] of Object.entries(lab.faults)) {
      const at = ['faults', name];
      if (!lab.topology.nodes[fault.node]) error([...at, 'node'], `no node "${fault.node}" in topology.nodes (there: ${nodes.join(', ')})`);
      localized([...at, 'title'], fault.title);
      if (asksRepair(fault.repaired)) error([...at, 'repaired'], "a fault's repaired check is its own: it cannot be { kind: repaired }");
      else for (const problem of objectivesReferences(fault.repaired, lab)) error([...at, 'repaired', ...problem.path], problem.message);
    }
    if (lab.sandbox && Object.keys(lab.faults).length > 0) error(['faults'], 'a sandbox is explored, not repaired: it has no faults');
    if (Object.keys(lab.faults).length > 0 && !objectivesOf(lab).some((o) => asksRepair(o.check)))
      error(
        ['faults'],
        'a fault is drawn at boot, but no objective asks for its repair: add { kind: repaired } to the objective of its symptom',
      );
  }

  function localized(path: (string | number)[], text: LocalizedText): void {
    if (typeof text === 'string' || text.zh === undefined) warn(path, 'no Simplified Chinese (zh) translation yet');
  }
}
