import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { parseEndpoint, resolveEndpoint } from './endpoint';

describe('resolveEndpoint', () => {
  it('prefers an explicit endpoint, then DOCKER_HOST, then the platform default', () => {
    expect(resolveEndpoint('tcp://a:2375', { DOCKER_HOST: 'tcp://b:2375' }).url).toBe('tcp://a:2375');
    expect(resolveEndpoint(undefined, { DOCKER_HOST: 'tcp://b:2375' }).url).toBe('tcp://b:2375');
    expect(resolveEndpoint(undefined, {}, 'linux').url).toBe('unix:///var/run/docker.sock');
    expect(resolveEndpoint(undefined, {}, 'win32').url).toBe('npipe:////./pipe/docker_engine');
  });
});

describe('parseEndpoint', () => {
  it('reads unix sockets and clears any host DOCKER_HOST would set', () => {
    expect(parseEndpoint('unix:///run/user/1000/docker.sock')).toMatchObject({
      socketPath: '/run/user/1000/docker.sock',
      host: undefined,
    });
    expect(parseEndpoint('/var/run/docker.sock')).toMatchObject({ socketPath: '/var/run/docker.sock' });
  });

  it('reads tcp endpoints, plain and TLS', () => {
    expect(parseEndpoint('tcp://10.1.2.3:2375', {})).toMatchObject({ protocol: 'http', host: '10.1.2.3', port: '2375' });
    expect(parseEndpoint('tcp://docker.example:2376', { DOCKER_CERT_PATH: '/nonexistent' })).toMatchObject({
      protocol: 'https',
      host: 'docker.example',
    });
    expect(parseEndpoint('10.1.2.3:2375', {})).toMatchObject({ host: '10.1.2.3', protocol: 'http' });
  });

  it('reads ssh endpoints with user and agent', () => {
    expect(parseEndpoint('ssh://alice@lab-server', { SSH_AUTH_SOCK: '/tmp/agent' })).toMatchObject({
      protocol: 'ssh',
      host: 'lab-server',
      port: 22,
      username: 'alice',
      sshOptions: { agent: '/tmp/agent' },
    });
  });

  it('rejects what Docker does not speak, saying what was wrong', () => {
    expect(() => parseEndpoint('ftp://host')).toThrow(/scheme "ftp:"/);
    expect(() => parseEndpoint('tcp://')).toThrow(AppError);
  });
});
