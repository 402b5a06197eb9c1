/**
 * Temporary file storage, like DashScope's upload service: signed POST policies, the object store behind
 * `upload_host`, and `oss://` resolution bound to the API key and model of the policy (48 h × timeScale).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { formatServiceDate } from './clock.js';
import { ObjectStoreError } from './errors.js';
import { escapeXml } from './xml-escape.js';

/** Bucket name used in policies and the upload host path. */
export const UPLOAD_BUCKET = 'dashscope-file-mgr';
/** Policy lifetime, as in recorded replies. */
const POLICY_EXPIRE_SECONDS = 300;

/** The `data` object of a getPolicy reply (wire names). */
export interface UploadPolicyData {
  policy: string;
  signature: string;
  upload_dir: string;
  upload_host: string;
  expire_in_seconds: number;
  max_file_size_mb: number;
  capacity_limit_mb: number;
  oss_access_key_id: string;
  x_oss_object_acl: string;
  x_oss_forbid_overwrite: string;
}

interface PolicyDocument {
  expiration: string;
  conditions: unknown[];
}

interface UploadDirOwner {
  key: string;
  model: string;
  /** When the policy for this directory expires (the directory can take no new files after it). */
  policyExpiresAt: number;
}

interface StoredObject {
  bytes: Buffer;
  contentType: string;
  owner: UploadDirOwner;
  expiresAt: number;
}

/** Result of `UploadStore.store`: the HTTP status and body OSS would answer. */
export interface UploadReply {
  status: number;
  xml?: string;
}

/** Policies, uploaded objects and their owners. */
export class UploadStore {
  private readonly secret = randomBytes(32);
  private readonly accessKeyId = `LTAI-emulator-${randomBytes(4).toString('hex')}`;
  private readonly dirs = new Map<string, UploadDirOwner>();
  /** Insertion order = upload order: the first entries are the oldest. */
  private readonly objects = new Map<string, StoredObject>();
  /** Bytes of all objects kept. */
  private held = 0;

  /**
   * @param maxBytes largest single file.
   * @param maxTotalBytes bytes kept in all (default unbounded): past it, expired files go first, then the
   *   oldest (their `oss://` URLs then fail like expired ones), and `onEvict` is told how many went early.
   */
  constructor(
    private readonly lifetimeMs: number,
    private readonly maxBytes: number,
    private readonly maxTotalBytes = Number.POSITIVE_INFINITY,
    private readonly onEvict: (count: number) => void = () => undefined,
  ) {}

  /** Bytes of all uploaded files kept now. */
  get heldBytes(): number {
    return this.held;
  }

  private drop(key: string, object: StoredObject): void {
    this.objects.delete(key);
    this.held -= object.bytes.length;
  }

  /** Makes room for `incoming` bytes: expired files first, then the oldest. */
  private makeRoom(incoming: number, now: number): void {
    if (this.held + incoming <= this.maxTotalBytes) return;
    this.sweep(now);
    let evicted = 0;
    for (const [key, object] of this.objects) {
      if (this.held + incoming <= this.maxTotalBytes) break;
      this.drop(key, object);
      evicted++;
    }
    if (evicted > 0) this.onEvict(evicted);
  }

  private sign(policy: string): string {
    return createHmac('sha1', this.secret).update(policy).digest('base64');
  }

  /** A new policy for `key`'s account (fingerprint) and `model`, uploading to `uploadHost`. */
  issuePolicy(key: string, model: string, uploadHost: string, now: number): UploadPolicyData {
    const uploadDir = `dashscope-instant/${key.replace(/^key_/, '')}/${formatServiceDate(now)}/${randomUUID()}`;
    this.dirs.set(uploadDir, { key, model, policyExpiresAt: now + POLICY_EXPIRE_SECONDS * 1000 });
    const document: PolicyDocument = {
      expiration: new Date(now + POLICY_EXPIRE_SECONDS * 1000).toISOString(),
      conditions: [
        ['content-length-range', 0, this.maxBytes],
        ['starts-with', '$key', uploadDir],
        { bucket: UPLOAD_BUCKET },
        { 'x-oss-object-acl': 'private' },
        { 'x-oss-forbid-overwrite': 'true' },
      ],
    };
    const policy = Buffer.from(JSON.stringify(document)).toString('base64');
    return {
      policy,
      signature: this.sign(policy),
      upload_dir: uploadDir,
      upload_host: uploadHost,
      expire_in_seconds: POLICY_EXPIRE_SECONDS,
      max_file_size_mb: Math.round((this.maxBytes / 1024 / 1024) * 100) / 100,
      capacity_limit_mb: 999999999,
      oss_access_key_id: this.accessKeyId,
      x_oss_object_acl: 'private',
      x_oss_forbid_overwrite: 'true',
    };
  }

  /**
   * Checks a form POST against its policy and stores the file. Throws `ObjectStoreError` (403 for policy
   * violations, 400 for a too-large or missing file, 409 for an existing key) like OSS.
   */
  store(fields: ReadonlyMap<string, string>, file: { bytes: Buffer; contentType?: string } | undefined, now: number): UploadReply {
    const field = (name: string): string | undefined => {
      for (const [k, v] of fields) if (k.toLowerCase() === name.toLowerCase()) return v;
      return undefined;
    };
    const policy = field('policy');
    const signature = field('Signature');
    const accessKeyId = field('OSSAccessKeyId');
    const key = field('key');
    if (!policy || !signature || !accessKeyId) {
      throw new ObjectStoreError(403, 'AccessDenied', 'The form needs the fields policy, Signature and OSSAccessKeyId from getPolicy.');
    }
    if (accessKeyId !== this.accessKeyId) {
      throw new ObjectStoreError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.');
    }
    const expected = Buffer.from(this.sign(policy));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ObjectStoreError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    const document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as PolicyDocument;
    if (Date.parse(document.expiration) <= now) {
      throw new ObjectStoreError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired. Get a new upload policy.');
    }
    const prefixCondition = document.conditions.find((c): c is [string, string, string] => Array.isArray(c) && c[0] === 'starts-with' && c[1] === '$key');
    const uploadDir = prefixCondition?.[2] ?? '';
    const owner = this.dirs.get(uploadDir);
    if (!owner || !key || !key.startsWith(`${uploadDir}/`) || key.length <= uploadDir.length + 1 || key.endsWith('/')) {
      throw new ObjectStoreError(
        403,
        'AccessDenied',
        `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "${uploadDir}"]. Use key = upload_dir + "/" + file name.`,
      );
    }
    for (const condition of document.conditions) {
      if (Array.isArray(condition) || typeof condition !== 'object' || condition === null) continue;
      for (const [name, value] of Object.entries(condition as Record<string, string>)) {
        if (name === 'bucket') continue;
        if (field(name) !== value) {
          throw new ObjectStoreError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: {"${name}": "${value}"}.`);
        }
      }
    }
    if (!file) throw new ObjectStoreError(400, 'InvalidArgument', 'The form has no "file" field; send the file as the last field.');
    if (file.bytes.length > this.maxBytes) {
      throw new ObjectStoreError(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${this.maxBytes} bytes).`);
    }
    const existing = this.objects.get(key);
    if (existing && existing.expiresAt > now && field('x-oss-forbid-overwrite') === 'true') {
      throw new ObjectStoreError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');
    }
    if (existing) this.drop(key, existing);
    this.makeRoom(file.bytes.length, now);
    this.held += file.bytes.length;
    this.objects.set(key, {
      bytes: file.bytes,
      contentType: field('x-oss-content-type') ?? file.contentType ?? 'application/octet-stream',
      owner,
      expiresAt: now + this.lifetimeMs,
    });
    const status = field('success_action_status');
    if (status === '200') return { status: 200 };
    if (status === '201') {
      return {
        status: 201,
        xml: `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Bucket>${UPLOAD_BUCKET}</Bucket><Key>${escapeXml(key)}</Key></PostResponse>`,
      };
    }
    return { status: 204 };
  }

  /** The bytes of `oss://<key>` for this account and model, or undefined (unknown, expired or not theirs). */
  resolve(ossUrl: string, key: string, model: string, now: number): Buffer | undefined {
    const objectKey = ossUrl.replace(/^oss:\/\//, '');
    const object = this.objects.get(objectKey);
    if (!object || object.expiresAt <= now) return undefined;
    if (object.owner.key !== key || object.owner.model !== model) return undefined;
    return object.bytes;
  }

  /** Drops expired objects and the directories of expired policies. */
  sweep(now: number): void {
    for (const [k, object] of this.objects) if (object.expiresAt <= now) this.drop(k, object);
    for (const [dir, owner] of this.dirs) if (owner.policyExpiresAt <= now) this.dirs.delete(dir);
  }
}
