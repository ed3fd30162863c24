import type { Readable } from 'node:stream';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';

/** One message of the JSON stream the engine sends while it builds, pulls, imports or loads images. */
export interface EngineStreamMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Follows an engine JSON stream to its end. The engine reports failures inside the stream
 * with HTTP 200, so an `error` message must be turned into a rejection here.
 */
export function followEngineStream(
  engine: Engine,
  stream: Readable,
  onMessage?: (message: EngineStreamMessage) => void,
): Promise<EngineStreamMessage[]> {
  return new Promise((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null, messages: EngineStreamMessage[]) => {
        if (error) return reject(error);
        const failed = messages.find((m) => m.error ?? m.errorDetail?.message);
        if (failed) {
          return reject(new AppError('failed', `The Docker engine reported: ${failed.errorDetail?.message ?? failed.error}`));
        }
        resolve(messages);
      },
      onMessage,
    );
  });
}
