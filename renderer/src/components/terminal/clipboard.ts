/**
 * The system clipboard, when the page may use it. navigator.clipboard is missing outside secure
 * contexts and may refuse (no permission, no focus); then copy and paste quietly do nothing
 * rather than break the terminal.
 */

export async function copyToClipboard(text: string): Promise<boolean> {
  if (!text || typeof navigator === 'undefined' || !navigator.clipboard) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export async function readClipboard(): Promise<string | undefined> {
  if (typeof navigator === 'undefined' || !navigator.clipboard) return undefined;
  try {
    return await navigator.clipboard.readText();
  } catch {
    return undefined;
  }
}
