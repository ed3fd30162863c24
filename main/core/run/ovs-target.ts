import type { Engine } from '../docker/engine';
import { labOfSession } from './running-lab';
import { nodeContainer, requireSession } from '../session/sessions';
import type { OvsTarget } from '../easyovs/actions';

/** A node of a running lab, with the lab's cloud (for the VMs behind ports), for easyOVS's actions. */
export async function ovsTarget(engine: Engine, sessionName: string, node: string): Promise<OvsTarget> {
  const session = await requireSession(engine, sessionName);
  const container = nodeContainer(engine, session, node);
  return { node, container, model: (await labOfSession(session)).model };
}
