import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/**
 * Whether an element is on screen: in the viewport (not in a hidden tab or a collapsed panel)
 * and the window's page is visible. Views poll the back end only while this is true.
 */
export function useVisibility(element: Ref<HTMLElement | undefined>, onShown?: () => void): Ref<boolean> {
  const visible = ref(true);
  let inView = true;
  let observer: IntersectionObserver | undefined;

  const update = () => {
    const now = inView && document.visibilityState !== 'hidden';
    if (now && !visible.value) onShown?.();
    visible.value = now;
  };

  onMounted(() => {
    if (typeof IntersectionObserver !== 'undefined' && element.value) {
      observer = new IntersectionObserver((entries) => {
        inView = entries.some((e) => e.isIntersecting);
        update();
      });
      observer.observe(element.value);
    }
    document.addEventListener('visibilitychange', update);
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    document.removeEventListener('visibilitychange', update);
  });
  return visible;
}
