// The Node floor: the least a Node `ws` server does to fan a message out (bench/fanout.py).
//
// The same protocol as bench/floor_server.py: any path; every message received is relayed, as
// it is, to every other open socket. No database, no JSON: what is left is the cost of websocket
// frames and Node's event loop on this machine. Usage: node floor_server.js --port N
"use strict";

const { WebSocketServer, WebSocket } = require("ws");

const portIndex = process.argv.indexOf("--port");
const port = Number(process.argv[portIndex + 1]);
if (portIndex < 0 || !Number.isInteger(port)) {
  console.error("usage: node floor_server.js --port N");
  process.exit(2);
}

// perMessageDeflate off (ws's server default, said here): daphne does not negotiate it either.
const server = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false });

server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    for (const other of server.clients) {
      if (other !== socket && other.readyState === WebSocket.OPEN) {
        other.send(data, { binary: isBinary });
      }
    }
  });
});
