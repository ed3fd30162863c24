import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { MethodResults } from '../../../main/api/contract';
import type { ProgressEvent } from '../../../main/api/view';
import { describeError, type Problem } from './errors';
import { useTransportStore } from './transport';

/** Building the node image from the home screen, with the progress that `image.progress` reports. */
export const useImageBuildStore = defineStore('image-build', () => {
  const building = ref(false);
  const progress = ref<ProgressEvent>();
  const result = ref<MethodResults['image.build']>();
  const error = ref<Problem>();

  async function build(): Promise<boolean> {
    const api = useTransportStore().api();
    building.value = true;
    error.value = undefined;
    result.value = undefined;
    progress.value = { stage: 'start', percent: 0, message: '' };
    const stop = api.on('image.progress', (event) => (progress.value = event));
    try {
      result.value = await api.call('image.build', {});
      return true;
    } catch (e) {
      error.value = describeError(e);
      return false;
    } finally {
      stop();
      building.value = false;
    }
  }

  return { building, progress, result, error, build };
});
