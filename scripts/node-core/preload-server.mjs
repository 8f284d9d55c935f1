/**
 * Preload (`node --import`) for Node's net/http tests with compat on the server side: every
 * `net.Server#listen()` (so every http.Server's) is served by `compat.serve` over the driver
 * `RENTIO_DRIVER` names.
 * @module
 */
import { swapServer } from './swap.mjs';

swapServer();
