import type { MethodName } from './contract';

/**
 * Who is calling, and what each method lets them do. The service asks this before it runs any
 * call: hiding a button in a student's browser protects nothing, since the API is one WebSocket
 * away. Outside a workshop every caller is the machine's owner, as the desktop app always is.
 */

export type Caller =
  /** The desktop app, or the browser mode of one learner: everything. */
  | { role: 'owner' }
  /** A workshop's instructor: every student's labs, but not the server's lab files. */
  | { role: 'instructor' }
  /** A workshop's student: their own labs of the workshop's labs, nothing else. */
  | { role: 'student'; id: string; name: string };

export type Rule =
  /** Anyone with an identity (what it returns may still be only theirs: the catalogue, their sessions). */
  | 'anyone'
  /** Names a lab of the catalogue: a student only the workshop's labs. */
  | 'lab'
  /** Names a running session: a student only their own. */
  | 'session'
  /** Names a terminal or a capture: each connection has its own, so another's id is unknown to it. */
  | 'connection'
  /** Names a student's seat (none: the caller's own): a student only their own. */
  | 'seat'
  /** The owner and the instructor: what touches the whole server (image builds). */
  | 'staff'
  /** The owner alone: the lab files on this machine. */
  | 'owner';

/** One rule per method; a method without one does not compile, and the access test walks them all. */
export const ACCESS: { readonly [M in MethodName]: Rule } = {
  'environment.status': 'anyone',
  'image.build': 'staff',
  'labs.list': 'anyone',
  'labs.get': 'lab',
  'sessions.list': 'anyone',
  'lab.up': 'lab',
  'lab.check': 'session',
  'lab.solve': 'session',
  'lab.reset': 'session',
  'lab.down': 'session',
  'lab.restart': 'session',
  'lab.hint': 'session',
  'node.snapshot': 'session',
  'node.trace': 'session',
  'node.ovs': 'session',
  'capture.start': 'session',
  'capture.stop': 'connection',
  'capture.decode': 'connection',
  'capture.follow': 'session',
  'lab.walk': 'session',
  'lab.openstack': 'session',
  'lab.saveAsLab': 'owner',
  'terminal.open': 'session',
  'terminal.write': 'connection',
  'terminal.resize': 'connection',
  'terminal.ack': 'connection',
  'terminal.close': 'connection',
  'terminal.list': 'session',
  'terminal.watch': 'staff',
  'labfile.read': 'owner',
  'labfile.validate': 'owner',
  'labfile.save': 'owner',
  'workshop.status': 'staff',
  'workshop.broadcast': 'staff',
  'workshop.rejoinCode': 'seat',
};

/** What the rule needs to know about the call's subject, looked up only for a student. */
export interface Subject {
  /** For 'lab': the lab the call names, and the labs the workshop offers. */
  lab?: string;
  workshopLabs?: readonly string[];
  /** For 'session': the session the call names, and whether it is up and belongs to the calling student. */
  session?: string;
  sessionIsCallers?: boolean;
  /** For 'seat': the seat the call names (undefined: the caller's own). */
  seat?: string;
}

/**
 * Whether the caller may make the call, or why not. A student asking about a session that is
 * not theirs hears the same as for one that does not exist: nothing about other students.
 */
export function decide(
  caller: Caller,
  rule: Rule,
  subject: Subject,
): { ok: true } | { ok: false; why: string; code: 'forbidden' | 'state' } {
  if (caller.role === 'owner') return { ok: true };
  switch (rule) {
    case 'anyone':
    case 'connection':
      return { ok: true };
    case 'owner':
      return { ok: false, code: 'forbidden', why: 'Only the owner of this server may read or change its lab files.' };
    case 'staff':
      return caller.role === 'instructor' ? { ok: true } : { ok: false, code: 'forbidden', why: 'Only the instructor may do this.' };
    case 'lab':
      if (caller.role === 'instructor' || subject.lab === undefined || subject.workshopLabs?.includes(subject.lab)) return { ok: true };
      return {
        ok: false,
        code: 'forbidden',
        why: `Lab "${subject.lab}" is not one of this workshop's labs (${subject.workshopLabs?.join(', ')}).`,
      };
    case 'seat':
      if (caller.role === 'instructor' || subject.seat === undefined || subject.seat === caller.id) return { ok: true };
      return { ok: false, code: 'forbidden', why: "Only the instructor may do this for another student's seat." };
    case 'session':
      if (caller.role === 'instructor') return { ok: true };
      if (subject.sessionIsCallers) return { ok: true };
      return { ok: false, code: 'state', why: `No lab of yours is up under the name "${subject.session}".` };
  }
}
