/**
 * How a host mounts cgroups: `unified` (v2 only), `hybrid` (v1 controllers plus a cgroup2
 * hierarchy at `<root>/unified`) or `legacy` (v1 only). The same union as @execdriver/spec's
 * `CgroupMode` (a test keeps them equal): declared here too so this package needs neither spec nor zod.
 */
export type CgroupMode = 'unified' | 'hybrid' | 'legacy';
