import { createHash, createHmac, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";

/**
 * A minimal TURN client (RFC 8656) for one question: will the server relay
 * to this peer? It allocates an IPv6 relay (REQUESTED-ADDRESS-FAMILY, which
 * werift's TURN client cannot ask for) and sends CreatePermission requests.
 * Nothing is ever sent to a peer: a permission is only bookkeeping on the
 * server.
 */
const COOKIE = 0x2112a442;
const ALLOCATE = 0x0003;
const CREATE_PERMISSION = 0x0008;
const ATTR = {
  username: 0x0006,
  integrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  xorPeer: 0x0012,
  family: 0x0017,
  transport: 0x0019,
} as const;

type Attribute = [type: number, value: Buffer];

function encode(method: number, txId: Buffer, attributes: Attribute[], key?: Buffer): Buffer {
  const body = Buffer.concat(
    attributes.map(([type, value]) => {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(type, 0);
      head.writeUInt16BE(value.length, 2);
      return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    }),
  );
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0);
  header.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  header.writeUInt32BE(COOKIE, 4);
  txId.copy(header, 8);
  const message = Buffer.concat([header, body]);
  if (!key) return message;
  const mac = createHmac("sha1", key).update(message).digest();
  const attr = Buffer.alloc(4);
  attr.writeUInt16BE(ATTR.integrity, 0);
  attr.writeUInt16BE(20, 2);
  return Buffer.concat([message, attr, mac]);
}

function decode(message: Buffer): { type: number; txId: Buffer; attributes: Map<number, Buffer> } {
  const attributes = new Map<number, Buffer>();
  const end = 20 + message.readUInt16BE(2);
  for (let at = 20; at + 4 <= end; ) {
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 2);
    attributes.set(type, message.subarray(at + 4, at + 4 + length));
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: message.readUInt16BE(0), txId: message.subarray(8, 20), attributes };
}

/** XOR-PEER-ADDRESS for an IPv6 address (port 9: discard, never used). */
function xorPeer(ip: string, txId: Buffer): Buffer {
  if (!isIPv6(ip)) throw new Error(`${ip} is not an IPv6 address`);
  const value = Buffer.alloc(20);
  value.writeUInt8(0x02, 1);
  value.writeUInt16BE(9 ^ (COOKIE >>> 16), 2);
  const address = ipv6Bytes(ip);
  const mask = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), txId]);
  for (let i = 0; i < 16; i++) value[4 + i] = (address[i] ?? 0) ^ (mask[i] ?? 0);
  return value;
}

function ipv6Bytes(ip: string): Buffer {
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups.
  const v4 = ip.match(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  let text = ip;
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${ip.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (s: string) => (s ? s.split(":") : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const bytes = Buffer.alloc(16);
  for (const [i, group] of all.entries()) bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  return bytes;
}

function errorOf(attributes: Map<number, Buffer>): string {
  const error = attributes.get(ATTR.errorCode);
  if (!error) return "error without ERROR-CODE";
  return `${(error[2] ?? 0) * 100 + (error[3] ?? 0)} ${error.subarray(4).toString()}`;
}

export class TurnProbe {
  private constructor(
    private readonly socket: Socket,
    private readonly server: [string, number],
    private readonly auth: Attribute[],
    private readonly key: Buffer,
  ) {}

  /** An authenticated IPv6 relay allocation on the TURN server at `host`:`port`. */
  static async allocateIpv6(
    host: string,
    port: number,
    username: string,
    password: string,
  ): Promise<TurnProbe> {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    await new Promise<void>((r) => socket.bind(0, host, r));
    try {
      const ask: Attribute[] = [
        [ATTR.transport, Buffer.from([17, 0, 0, 0])],
        [ATTR.family, Buffer.from([0x02, 0, 0, 0])],
      ];
      const challenge = await exchange(socket, [host, port], ALLOCATE, ask);
      const realm = challenge.attributes.get(ATTR.realm);
      const nonce = challenge.attributes.get(ATTR.nonce);
      if (!realm || !nonce) throw new Error(`no auth challenge: ${errorOf(challenge.attributes)}`);
      const key = createHash("md5").update(`${username}:${realm}:${password}`).digest();
      const auth: Attribute[] = [
        [ATTR.username, Buffer.from(username)],
        [ATTR.realm, realm],
        [ATTR.nonce, nonce],
      ];
      const reply = await exchange(socket, [host, port], ALLOCATE, [...ask, ...auth], key);
      if (reply.type !== 0x0103)
        throw new Error(`allocation refused: ${errorOf(reply.attributes)}`);
      return new TurnProbe(socket, [host, port], auth, key);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /** "ok", or the server's error code and reason (e.g. "403 Forbidden IP"). */
  async permission(peer: string): Promise<string> {
    const reply = await exchange(
      this.socket,
      this.server,
      CREATE_PERMISSION,
      this.auth,
      this.key,
      peer,
    );
    return reply.type === 0x0108 ? "ok" : errorOf(reply.attributes);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

/** One request and its response (retransmitted as STUN does over UDP). */
async function exchange(
  socket: Socket,
  [host, port]: [string, number],
  method: number,
  attributes: Attribute[],
  key?: Buffer,
  peer?: string,
): Promise<ReturnType<typeof decode>> {
  const txId = randomBytes(12);
  const all: Attribute[] = peer ? [[ATTR.xorPeer, xorPeer(peer, txId)], ...attributes] : attributes;
  const message = encode(method, txId, all, key);
  return new Promise((resolve, reject) => {
    let tries = 0;
    const send = () => {
      if (++tries > 7) return finish(new Error(`no answer from TURN at ${host}:${port}`));
      socket.send(message, port, host);
      timer = setTimeout(send, 250 * tries);
    };
    let timer: NodeJS.Timeout | undefined;
    const onMessage = (data: Buffer) => {
      const reply = decode(data);
      if (reply.txId.equals(txId)) finish(undefined, reply);
    };
    const finish = (error?: Error, reply?: ReturnType<typeof decode>) => {
      clearTimeout(timer);
      socket.off("message", onMessage);
      if (reply) resolve(reply);
      else reject(error);
    };
    socket.on("message", onMessage);
    send();
  });
}
