import { connectEngine, type Engine } from '../core/docker/engine';
import { AppError, toAppError } from '../core/errors';
import { imageStatus } from '../core/image/node-image';
import { readCatalog, summarizeLab } from '../core/lab/catalog';
import { listSessions } from '../core/session/sessions';
import { electronBinary } from '../core/desktop';
import { isMethodName, methodParams, type MethodName, type MethodResults, type Reply } from './contract';

/** The back end behind the contract: one instance per app or server process. */
export class ApiService {
  private engine: Promise<Engine> | undefined;

  constructor(private readonly options: { dockerHost?: string } = {}) {}

  /** Connects on first use and again after a failure (the user may start the engine meanwhile). */
  private connect(): Promise<Engine> {
    this.engine ??= connectEngine({ endpoint: this.options.dockerHost }).catch(
      (error: unknown) => {
        this.engine = undefined;
        throw error;
      },
    );
    return this.engine;
  }

  private readonly handlers: { [M in MethodName]: () => Promise<MethodResults[M]> } = {
    'environment.status': async () => {
      const electron = electronBinary();
      const desktop = electron.path
        ? { electron: true, detail: electron.path }
        : { electron: false, detail: electron.reason ?? 'unavailable' };
      try {
        const engine = await this.connect();
        return {
          engine: { ok: true, endpoint: engine.info.endpoint, version: engine.info.version },
          image: await imageStatus(engine),
          desktop,
        };
      } catch (error) {
        return { engine: { ok: false, error: toAppError(error).toJSON() }, image: undefined, desktop };
      }
    },
    'labs.list': async () => {
      const catalog = await readCatalog();
      return { labs: catalog.labs.map(summarizeLab), broken: catalog.broken };
    },
    'sessions.list': async () => ({ sessions: await listSessions(await this.connect()) }),
  };

  /** Validates and runs one call from a transport; never throws. */
  async dispatch(method: unknown, params: unknown): Promise<Reply<MethodName>> {
    try {
      if (!isMethodName(method)) throw new AppError('usage', `Unknown method ${JSON.stringify(method)}.`);
      const parsed = methodParams[method].safeParse(params ?? {});
      if (!parsed.success) {
        throw new AppError('input', `Bad parameters for ${method}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      }
      return { ok: true, result: await this.handlers[method]() };
    } catch (error) {
      return { ok: false, error: toAppError(error).toJSON() };
    }
  }
}
