import { connectEngine } from '../../main/core/docker/engine';
import { buildNodeImage } from '../../main/core/image/node-image';

/**
 * Integration tests need a Docker engine and the node image. The image is built here once
 * (offline when no registry answers; a no-op when this recipe is already built).
 */
export default async function setup(): Promise<void> {
  const engine = await connectEngine();
  let stage = '';
  const result = await buildNodeImage(engine, {
    onProgress: (event) => {
      if (event.stage === stage) return;
      stage = event.stage;
      process.stderr.write(`[image] ${event.stage} ${Math.round(event.percent)}%: ${event.message}\n`);
    },
  });
  process.stderr.write(`[image] ${result.tag} ${result.builder ? `built in ${result.seconds.toFixed(1)} s` : 'present'}\n`);
}
