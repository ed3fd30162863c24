/** iptables state as `iptables-save -c` prints it: tables → chains (with policies and counters) → rules. */

export interface IptablesState {
  tables: IptablesTable[];
}

export interface IptablesTable {
  name: string;
  chains: IptablesChain[];
}

export interface IptablesChain {
  name: string;
  /** ACCEPT / DROP for built-in chains; undefined for user chains (`-` in iptables-save). */
  policy?: string;
  packets?: number;
  bytes?: number;
  rules: IptablesRule[];
}

/** One option of a rule: `-s 10.0.0.0/24`, `--physdev-is-bridged`, `--dports 80,443`. */
export interface RuleOption {
  name: string;
  values: string[];
  negated: boolean;
}

/** A `-m` match module and its options, in the order written. */
export interface RuleMatch {
  module: string;
  options: RuleOption[];
}

export interface RuleTarget {
  name: string;
  /** `-g` (goto) instead of `-j` (jump). */
  goto: boolean;
  options: RuleOption[];
}

export interface IptablesRule {
  table: string;
  chain: string;
  packets?: number;
  bytes?: number;
  /** The generic options (-s, -d, -i, -o, -p, -f), in the order written. */
  generic: RuleOption[];
  matches: RuleMatch[];
  target?: RuleTarget;
  /** 1-based line in the text it was read from. */
  line: number;
}
