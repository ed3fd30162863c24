import DOMPurify from 'dompurify';

/**
 * The last word on what guide HTML may contain: DOMPurify's HTML profile (no scripts, no event
 * handlers, no javascript: URLs). Links open outside the app window, never replacing it.
 * Browser only: DOMPurify needs a DOM, which the renderer always has.
 */

let hooked = false;

export function sanitizeHtml(html: string): string {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, ADD_ATTR: ['target'] });
}
