/**
 * Preload (`node --import`) for Node's net/http tests with compat on the client side: sockets the
 * test makes with net.connect / net.createConnection / new net.Socket() (and http.Agent's) are
 * compat RentioSockets over the driver `RENTIO_DRIVER` names.
 * @module
 */
import { swapClient } from './swap.mjs';

swapClient();
