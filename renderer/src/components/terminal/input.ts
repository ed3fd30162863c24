/**
 * What the terminal pane does with keys and typed text, as plain functions (testable without a
 * DOM): the shortcuts it takes for itself, and text typed "as if by the user".
 */

export type Shortcut = 'search' | 'copy' | 'paste';

interface KeyLike {
  type: string;
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * Ctrl/Cmd+F searches; Ctrl+Shift+C / Ctrl+Shift+V copy and paste (plain Ctrl+C and Ctrl+V
 * belong to the shell: interrupt and literal-next); on macOS, Cmd+C / Cmd+V too.
 */
export function shortcutOf(event: KeyLike): Shortcut | undefined {
  if (event.type !== 'keydown' || event.altKey) return undefined;
  const key = event.key.toLowerCase();
  if (key === 'f' && (event.ctrlKey || event.metaKey) && !event.shiftKey) return 'search';
  const command = event.metaKey && !event.ctrlKey;
  const ctrlShift = event.ctrlKey && event.shiftKey && !event.metaKey;
  if (key === 'c' && (ctrlShift || command)) return 'copy';
  if (key === 'v' && (ctrlShift || command)) return 'paste';
  return undefined;
}

/**
 * Text to run, as typing it would send it: line ends become Enter (a carriage return, what a
 * terminal's Enter key sends), and a final Enter is added only when the text lacks one.
 */
export function typedCommand(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n');
  return (lines.endsWith('\n') ? lines : `${lines}\n`).replace(/\n/g, '\r');
}
