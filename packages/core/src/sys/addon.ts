/**
 * rentio's N-API addon (`native/`: the parker and the file calls), loaded once per thread. This
 * module imports nothing that loads koffi, so a thread that must not load koffi (an epoll file
 * worker) can load the addon through it.
 * @module
 */
import { createRequire } from 'node:module';

const ADDON = '../../native/build/Release/rentio_parker.node';
let addon: unknown;
let tried = false;
/** Why the addon could not be loaded, once tried (undefined: loaded, or RENTIO_PARKER=koffi). */
export let addonError: Error | undefined;

/**
 * The addon's exports, or null where it was not built (or `RENTIO_PARKER=koffi` asks to run
 * without it, to measure or bisect the koffi fallback). @internal
 */
export function loadAddon(): unknown {
  if (tried) return addon;
  tried = true;
  addon = null;
  if (process.env.RENTIO_PARKER === 'koffi') return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON);
  } catch (err) {
    addonError = err as Error;
  }
  return addon;
}
