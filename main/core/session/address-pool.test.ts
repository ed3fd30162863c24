import { describe, expect, it } from 'vitest';
import { addressPool, DEFAULT_ADDRESS_POOL, firstFreeSubnet } from './address-pool';

describe('address pool', () => {
  it('defaults to a range off common LANs and Docker pools, and takes a setting', () => {
    expect(addressPool({}).text).toBe(DEFAULT_ADDRESS_POOL);
    expect(addressPool({ NEUTRON_LAB_ADDRESS_POOL: ' 100.96.0.0/20 ' }).text).toBe('100.96.0.0/20');
  });

  it('refuses a bad setting, naming the variable and what is wrong', () => {
    expect(() => addressPool({ NEUTRON_LAB_ADDRESS_POOL: 'ten' })).toThrow(/NEUTRON_LAB_ADDRESS_POOL="ten": not an IPv4 range/);
    expect(() => addressPool({ NEUTRON_LAB_ADDRESS_POOL: '10.9.0.0/28' })).toThrow(/a range of \/26 or larger/);
    expect(() => addressPool({ NEUTRON_LAB_ADDRESS_POOL: '10.9.0.7/24' })).toThrow(/not the start of its range \(10\.9\.0\.0\/24 is\)/);
  });

  it('gives the first /26 that overlaps nothing in use', () => {
    const pool = addressPool({ NEUTRON_LAB_ADDRESS_POOL: '10.9.0.0/24' });
    expect(firstFreeSubnet(pool, [])).toBe('10.9.0.0/26');
    expect(firstFreeSubnet(pool, ['172.17.0.0/16', '10.9.0.0/26'])).toBe('10.9.0.64/26');
    // A smaller network in use inside a block makes the whole block taken.
    expect(firstFreeSubnet(pool, ['10.9.0.0/26', '10.9.0.70/31'])).toBe('10.9.0.128/26');
    // A larger one covering the pool takes every block.
    expect(firstFreeSubnet(pool, ['10.0.0.0/8'])).toBeUndefined();
    expect(firstFreeSubnet(pool, ['10.9.0.0/26', '10.9.0.64/26', '10.9.0.128/26', '10.9.0.192/26'])).toBeUndefined();
  });

  it('has room for forty labs of four networks in the default pool', () => {
    const pool = addressPool({});
    const used: string[] = [];
    for (let i = 0; i < 160; i++) used.push(firstFreeSubnet(pool, used)!);
    expect(new Set(used).size).toBe(160);
    expect(used.at(-1)).toBe('10.213.39.192/26');
  });
});
