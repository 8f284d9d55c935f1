#!/usr/bin/env node
// rentio command line. `rentio doctor [--json]`: io_uring support on this machine, what blocks
// it (sysctl, seccomp filter, security module) and which driver `auto` picks, and why.
import { doctor, formatDoctor } from '../dist/index.js';

const [cmd, ...args] = process.argv.slice(2);
if (cmd !== 'doctor') {
  process.stderr.write('usage: rentio doctor [--json]\n');
  process.exit(cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : 2);
}
const report = await doctor();
process.stdout.write(args.includes('--json') ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report) + '\n');
