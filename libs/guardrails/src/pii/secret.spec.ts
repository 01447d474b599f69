import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';
import { isSecretValue, shannonEntropy } from './secret-value.js';

const secrets = (text: string) => detectPii(text).filter((f) => f.kind === 'secret').map((f) => text.slice(f.start, f.end));

const PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('secret detection', () => {
  it.each([
    ['an OpenAI project key', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'],
    ['an OpenAI key', 'sk-Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Ji0HgFeDcBa9876543210'],
    ['a Stripe secret key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['a GitHub token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['a GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV12'],
    ['a GitLab token', 'glpat-x1Y2z3A4b5C6d7E8f9G0'],
    ['a Slack bot token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['an AWS access key id', 'AKIA2E0A8F3B244C9986'],
    ['a Google API key', 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'],
    [
      'a JWT',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ],
  ])('finds %s', (_name, token) => {
    expect(secrets(`use ${token} here`)).toEqual([token]);
  });

  it('finds a PEM private key block across its lines', () => {
    expect(secrets(`key:\n${PRIVATE_KEY}\nthanks`)).toEqual([PRIVATE_KEY]);
  });

  it('takes the marker and base64 lines of a key pasted without its END line', () => {
    const truncated = PRIVATE_KEY.split('\n').slice(0, 3).join('\n');
    expect(secrets(`${truncated}\nand then the rest of my question`)).toEqual([truncated]);
  });

  it.each([
    ['api_key=9f8e7d6c5b4a3f2e1d0c9b8a', '9f8e7d6c5b4a3f2e1d0c9b8a'],
    ['token: abcDEF123ghiJKL456mno.', 'abcDEF123ghiJKL456mno'],
    ['password=hunter2', 'hunter2'],
    ['--password=Summer2024!', 'Summer2024!'],
    ['"client_secret": "s3cr3tV4lu3Xyz0987"', 's3cr3tV4lu3Xyz0987'],
    ['OPENAI_API_KEY=Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1', 'Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1'],
    ['db.password: Tr0ub4dor&3', 'Tr0ub4dor&3'],
    ['Authorization: Bearer abcdef1234567890ABCDEFxyz', 'abcdef1234567890ABCDEFxyz'],
    ['token: 123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-12d3-a456-426614174000'],
  ])('finds only the value in %j', (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    ['a UUID alone', 'request 123e4567-e89b-12d3-a456-426614174000 failed'],
    ['a commit hash alone', 'fixed in da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['a SHA-256 alone', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a long word', 'pneumonoultramicroscopicsilicovolcanoconiosis is long'],
    ['a hyphenated name that starts with sk-', 'sk-learn-is-a-python-library-for-machine-learning'],
    ['a plain word after token:', 'token: expired'],
    ['a capitalised word after password:', 'password: Required'],
    ['a placeholder', 'api_key=YOUR_API_KEY and token=<your-token> and secret=${SECRET_VALUE}'],
    ['a count', 'max_tokens=1024'],
    ['a name that only contains a keyword', 'password_hash=abc123def456ghi789 tokenizer: whitespace'],
    ['masked characters', 'password: ********'],
    ['a base64 blob alone', 'SGVsbG8gV29ybGQhIFRoaXMgaXMgYSB0ZXN0IHN0cmluZw=='],
    ['Bearer followed by words', 'Bearer authentication is a scheme'],
  ])('finds nothing in %s', (_name, text) => {
    expect(secrets(text)).toEqual([]);
  });
});

describe('secret value heuristics', () => {
  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it('wants a digit or symbol in a password, and length and randomness in a key', () => {
    expect(isSecretValue('hunter2', true)).toBe(true);
    expect(isSecretValue('sunshine', true)).toBe(false);
    expect(isSecretValue('hunter2', false)).toBe(false);
    expect(isSecretValue('aB3dE6gH9jK2mN5pQ8', false)).toBe(true);
    expect(isSecretValue('aaaaaaaaaaaaaaaaaaaaaaa1', false)).toBe(false);
  });
});
