"""Peak resident memory of the current process (Linux), shared by the measurement scripts.

bench/bench.sh puts bench/ on PYTHONPATH for the scripts it feeds to `odoo-bin shell`.
"""


def reset_peak_rss():
    """Reset the kernel's high-water mark of this process' resident memory (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def peak_rss_mib():
    """Peak resident memory of this process since the last reset (VmHWM), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
