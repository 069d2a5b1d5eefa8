// Preloaded into Portkey's gateway by bench/run (node --require): its start-server.js calls
// serve({port}) without a hostname, so Node would listen on every interface. This makes any
// listen() that names no host bind 127.0.0.1 instead. Nothing else is changed.
'use strict';
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (args.length === 1 || args[1] === undefined || typeof args[1] === 'function') {
      if (args.length > 1 && args[1] === undefined) args[1] = '127.0.0.1';
      else args.splice(1, 0, '127.0.0.1');
    }
  } else if (args[0] && typeof args[0] === 'object' && !('path' in args[0]) && !args[0].host) {
    args[0] = Object.assign({}, args[0], { host: '127.0.0.1' });
  }
  return listen.apply(this, args);
};
