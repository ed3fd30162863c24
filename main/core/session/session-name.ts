/**
 * What names a session: its containers and networks carry the name, the CLI and the UI take it.
 * One rule for the back end (`up` checks it before anything is made), the contract's parameters
 * and the renderer's form (through main/api/view.ts).
 */
export const SESSION_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const SESSION_NAME_RULE = 'a session name is 1–40 lowercase letters, digits and "-", starting with a letter';
