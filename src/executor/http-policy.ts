/**
 * Which hosts `http` steps may reach: a deny list and an optional allow list of host names
 * (`example.com`, `*.example.com`) and addresses or CIDR blocks (`10.0.0.0/8`, `fd00::/8`).
 *
 * A request is allowed when nothing in the deny list matches it and, if there is an allow list, something
 * in it does. Addresses are checked on the URL when it is an IP literal, and on every address DNS returns
 * when the connection is made (the Agent's `lookup`), so a name that resolves to a denied address — or
 * is re-pointed there later — is refused too. The link-local range and the cloud metadata addresses
 * are always denied (SKED_HTTP_DENY adds to them), also spelt as IPv6 addresses embedding them
 * (`::ffff:169.254.169.254`, `::169.254.169.254`, the NAT64 `64:ff9b::169.254.169.254`); everything
 * else, loopback included, is allowed unless an allow list says otherwise.
 */

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { SkedError } from '../domain/errors.js';

export const DEFAULT_HTTP_DENY = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128'];

interface RuleSet {
  addresses: BlockList;
  hasAddresses: boolean;
  names: string[];
  suffixes: string[];
}

function ruleSet(entries: readonly string[], setting: string): RuleSet {
  const set: RuleSet = { addresses: new BlockList(), hasAddresses: false, names: [], suffixes: [] };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const [addr, bits] = entry.split('/');
    const family = isIP(addr ?? '');
    if (family) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new SkedError('VALIDATION_ERROR', `${setting}: bad CIDR prefix in '${raw}'`);
      }
      set.addresses.addSubnet(addr as string, prefix, type);
      set.hasAddresses = true;
    } else if (entry.startsWith('*.')) {
      set.suffixes.push(entry.slice(1));
    } else if (/^[a-z0-9.-]+$/.test(entry)) {
      set.names.push(entry);
    } else {
      throw new SkedError('VALIDATION_ERROR', `${setting}: '${raw}' is neither a host name, an address nor a CIDR block`);
    }
  }
  return set;
}

const nameMatches = (set: RuleSet, host: string): boolean => set.names.includes(host) || set.suffixes.some((s) => host.endsWith(s));
const addressMatches = (set: RuleSet, address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return set.addresses.check(address, 'ipv4');
  if (family !== 6) return false;
  if (set.addresses.check(address, 'ipv6')) return true;
  const v4 = embeddedIpv4(address);
  return v4 !== null && set.addresses.check(v4, 'ipv4');
};

/** The IPv4 address an IPv6 address carries in its last 32 bits (mapped, compatible, NAT64), or null. */
export function embeddedIpv4(address: string): string | null {
  const groups = ipv6Groups(address);
  if (!groups) return null;
  const head = groups.slice(0, 6);
  const zeros = (n: number): boolean => head.slice(0, n).every((g) => g === 0);
  const mapped = zeros(5) && (head[5] === 0xffff || head[5] === 0);
  const nat64 = head[0] === 0x64 && head[1] === 0xff9b && head.slice(2).every((g) => g === 0);
  if (!mapped && !nat64) return null;
  const [hi = 0, lo = 0] = groups.slice(6);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const b = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const fill = right === undefined ? 0 : 8 - l.length - r.length;
  const groups = [...l, ...Array<string>(Math.max(0, fill)).fill('0'), ...r].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export interface HttpPolicy {
  /** Refuses a URL by its host before connecting (throws a SkedError saying why). */
  checkUrl(url: URL): void;
  /** A `dns.lookup` replacement for the HTTP agent that refuses denied addresses. */
  lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void;
}

export function createHttpPolicy(options: { allow?: readonly string[]; deny?: readonly string[] } = {}): HttpPolicy {
  const allow = ruleSet(options.allow ?? [], 'SKED_HTTP_ALLOW');
  const deny = ruleSet([...DEFAULT_HTTP_DENY, ...(options.deny ?? [])], 'SKED_HTTP_DENY');
  const restricted = allow.hasAddresses || allow.names.length > 0 || allow.suffixes.length > 0;

  const refuse = (what: string, why: string): SkedError => new SkedError('FORBIDDEN', `http steps may not reach ${what}: ${why}`);

  /** Checks an address reached through `host` (the name it was looked up by, or the address itself). */
  const checkAddress = (address: string, host: string): void => {
    if (addressMatches(deny, address)) throw refuse(host === address ? address : `${host} (${address})`, 'the address is denied (SKED_HTTP_DENY)');
    if (restricted && !nameMatches(allow, host) && !addressMatches(allow, address)) {
      throw refuse(host === address ? address : `${host} (${address})`, 'it is not in SKED_HTTP_ALLOW');
    }
  };

  return {
    checkUrl(url: URL): void {
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      if (isIP(host)) {
        checkAddress(host, host);
        return;
      }
      if (nameMatches(deny, host)) throw refuse(host, 'the host is denied (SKED_HTTP_DENY)');
      // Names in the allow list pass here; names not in it must resolve to allowed addresses (checked on connect).
      if (restricted && !nameMatches(allow, host) && !allow.hasAddresses) throw refuse(host, 'it is not in SKED_HTTP_ALLOW');
    },
    lookup(hostname, opts, callback) {
      dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
        if (err) return callback(err, []);
        const list = addresses as LookupAddress[];
        try {
          for (const a of list) checkAddress(a.address, hostname.toLowerCase());
        } catch (refusal) {
          return callback(Object.assign(refusal as Error, { code: 'SKED_HTTP_DENIED' }) as NodeJS.ErrnoException, []);
        }
        if (opts.all) return callback(null, list);
        const first = list[0];
        return first ? callback(null, first.address, first.family) : callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      });
    },
  };
}
