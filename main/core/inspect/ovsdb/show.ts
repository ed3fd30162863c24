import type { OvsBridge, OvsDatabase, OvsInterface, OvsPort } from './parse';

/**
 * The familiar `ovs-vsctl show` tree, printed from a parsed database exactly as OVS 3.x prints
 * it: four spaces a level, a column only when it has a value, strings quoted only when OVSDB
 * would quote them.
 */
export function renderShow(db: OvsDatabase): string {
  const lines: string[] = [db.uuid];
  const put = (depth: number, text: string) => lines.push(`${'    '.repeat(depth)}${text}`);

  for (const manager of db.managers) {
    put(1, `Manager ${quote(manager.target)}`);
    if (manager.isConnected !== undefined) put(2, `is_connected: ${manager.isConnected}`);
  }
  for (const bridge of db.bridges) renderBridge(bridge, put);
  if (db.ovsVersion !== undefined) put(1, `ovs_version: ${quote(db.ovsVersion)}`);
  return `${lines.join('\n')}\n`;
}

type Put = (depth: number, text: string) => void;

function renderBridge(bridge: OvsBridge, put: Put): void {
  put(1, `Bridge ${quote(bridge.name)}`);
  for (const controller of bridge.controllers) {
    put(2, `Controller ${quote(controller.target)}`);
    if (controller.isConnected !== undefined) put(3, `is_connected: ${controller.isConnected}`);
  }
  if (bridge.failMode) put(2, `fail_mode: ${quote(bridge.failMode)}`);
  if (bridge.datapathType) put(2, `datapath_type: ${quote(bridge.datapathType)}`);
  for (const port of bridge.ports) renderPort(port, put);
}

function renderPort(port: OvsPort, put: Put): void {
  put(2, `Port ${quote(port.name)}`);
  if (port.tag !== undefined) put(3, `tag: ${port.tag}`);
  if (port.trunks.length > 0) put(3, `trunks: [${port.trunks.join(', ')}]`);
  for (const iface of port.interfaces) renderInterface(iface, put);
}

function renderInterface(iface: OvsInterface, put: Put): void {
  put(3, `Interface ${quote(iface.name)}`);
  if (iface.type) put(4, `type: ${quote(iface.type)}`);
  const options = Object.entries(iface.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (options.length > 0) put(4, `options: {${options.map(([k, v]) => `${quote(k)}=${quote(v)}`).join(', ')}}`);
  if (iface.error !== undefined) put(4, `error: ${quote(iface.error)}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** OVSDB's rule: bare when it reads as an identifier (letters first; letters, digits, _ - . after). */
export function quote(text: string): string {
  const bare = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(text) && text !== 'true' && text !== 'false' && !UUID.test(text);
  return bare ? text : JSON.stringify(text);
}
