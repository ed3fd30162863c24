import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { fakeTransport } from './fake-transport';
import { useImageBuildStore } from './image-build';
import { useTransportStore } from './transport';

describe('image build store', () => {
  it('shows image.progress while the build runs, and the result after', async () => {
    setActivePinia(createPinia());
    const seen: number[] = [];
    const transport = fakeTransport({
      'image.build': (_params, emit) => {
        emit('image.progress', { stage: 'download', percent: 30, message: 'fetching packages' });
        seen.push(useImageBuildStore().progress?.percent ?? -1);
        emit('image.progress', { stage: 'import', percent: 90, message: 'importing' });
        seen.push(useImageBuildStore().progress?.percent ?? -1);
        return { tag: 'neutron-lab/node:0123456789ab', builder: 'offline', seconds: 45 };
      },
    });
    useTransportStore().set(transport);
    const image = useImageBuildStore();
    expect(await image.build()).toBe(true);
    expect(seen).toEqual([30, 90]);
    expect(image.building).toBe(false);
    expect(image.result?.tag).toBe('neutron-lab/node:0123456789ab');
    transport.emit('image.progress', { stage: 'late', percent: 5, message: '' });
    expect(image.progress?.stage).toBe('import');
  });
});
