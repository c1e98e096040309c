/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat; 100 on every Linux architecture Node runs on. */
export const clockTicks = 100;
