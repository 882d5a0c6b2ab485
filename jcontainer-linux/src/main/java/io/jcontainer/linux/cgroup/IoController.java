package io.jcontainer.linux.cgroup;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.SyscallException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * io (v2) / blkio (v1): proportional weight and per-device throttling. Devices are named by
 * path and resolved to major:minor with stat(2), so a typo is refused before anything runs.
 * v1: blkio.weight (CFQ) or blkio.bfq.weight (BFQ), blkio.throttle.{read,write}_{bps,iops}_device.
 * v2: io.weight or io.bfq.weight, io.max "MAJ:MIN rbps=N wbps=N riops=N wiops=N".
 */
final class IoController {
    private IoController() {
    }

    static boolean wanted(Resources r) {
        return r.blkioWeight() > 0 || !r.deviceLimits().isEmpty();
    }

    /** Resolves each device to major:minor, or refuses it naming the path and why. */
    static Map<Resources.DeviceLimit, String> resolve(CgroupFs fs, Resources r) {
        Map<Resources.DeviceLimit, String> out = new LinkedHashMap<>();
        for (Resources.DeviceLimit l : r.deviceLimits()) {
            String dev;
            try {
                dev = fs.deviceNumber(l.device());
            } catch (SyscallException e) {
                throw new InvalidSpecException("device", "cannot use " + l.device() + " for io limits: " + e.getMessage());
            }
            if (dev == null) throw new InvalidSpecException("device", l.device() + " is not a block device");
            out.put(l, dev);
        }
        return out;
    }

    static void apply(Dir d, Resources r, Map<Resources.DeviceLimit, String> devices) {
        if (r.blkioWeight() > 0) {
            String prefix = d.v2() ? "io." : "blkio.";
            String file = d.has(prefix + "weight") ? prefix + "weight" : prefix + "bfq.weight";
            if (!d.has(file))
                throw new InvalidSpecException("blkio-weight", "io weights are not available on this host: neither " + prefix
                        + "weight nor " + prefix + "bfq.weight exists (they need the BFQ or CFQ I/O scheduler)");
            d.set("blkio-weight", file, (d.v2() ? "default " : "") + r.blkioWeight());
        }
        for (var e : devices.entrySet()) {
            Resources.DeviceLimit l = e.getKey();
            if (l.kind() == Resources.DeviceLimit.Kind.WEIGHT) {
                // the same file as the default weight, one "MAJ:MIN WEIGHT" line per device (v1: blkio.weight_device)
                String prefix = d.v2() ? "io." : "blkio.";
                String file = d.has(prefix + (d.v2() ? "weight" : "weight_device")) ? prefix + (d.v2() ? "weight" : "weight_device")
                        : prefix + (d.v2() ? "bfq.weight" : "bfq.weight_device");
                if (!d.has(file))
                    throw new InvalidSpecException("blkio-weight-device", "per-device io weights are not available on this host: no "
                            + file + " (they need the BFQ or CFQ I/O scheduler)");
                d.set("blkio-weight-device", file, e.getValue() + " " + l.value());
                continue;
            }
            if (d.v2()) {
                String key = switch (l.kind()) {
                    case READ_BPS -> "rbps";
                    case WRITE_BPS -> "wbps";
                    case READ_IOPS -> "riops";
                    case WRITE_IOPS -> "wiops";
                    case WEIGHT -> throw new IllegalStateException("handled above");
                };
                d.set("device", "io.max", e.getValue() + " " + key + "=" + l.value());
            } else {
                String file = switch (l.kind()) {
                    case READ_BPS -> "blkio.throttle.read_bps_device";
                    case WRITE_BPS -> "blkio.throttle.write_bps_device";
                    case READ_IOPS -> "blkio.throttle.read_iops_device";
                    case WRITE_IOPS -> "blkio.throttle.write_iops_device";
                    case WEIGHT -> throw new IllegalStateException("handled above");
                };
                d.set("device", file, e.getValue() + " " + l.value());
            }
        }
    }

    /**
     * Bytes read and written, summed over devices: v1 {@code blkio.throttle.io_service_bytes}
     * ("MAJ:MIN Read N" lines; counted at the throttling layer, so for every scheduler), v2
     * {@code io.stat} ("MAJ:MIN rbytes=N wbytes=N ..."). -1 each when the file is missing.
     */
    static long[] serviced(Dir d) {
        String file = d.v2() ? "io.stat" : "blkio.throttle.io_service_bytes";
        if (!d.has(file)) return new long[]{-1, -1};
        long read = 0, write = 0;
        for (String line : d.read(file).split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (d.v2()) {
                for (String kv : f) {
                    if (kv.startsWith("rbytes=")) read += Long.parseLong(kv.substring(7));
                    else if (kv.startsWith("wbytes=")) write += Long.parseLong(kv.substring(7));
                }
            } else if (f.length == 3 && f[0].contains(":")) {
                if (f[1].equals("Read")) read += Long.parseLong(f[2]);
                else if (f[1].equals("Write")) write += Long.parseLong(f[2]);
            }
        }
        return new long[]{read, write};
    }
}
