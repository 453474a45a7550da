#!/bin/sh
# Minimal dhclient script for the capture rig: configures only the client's own namespace
# (address + default route); never touches /etc/resolv.conf.
# The rig substitutes @DECLINE@: if that file exists, the first BOUND fails (exit 1) and the
# file is removed, to try to make dhclient send a DHCPDECLINE. dhclient passes the script only
# its own variables, hence the substitution instead of an environment variable.
DECLINE_ONCE="@DECLINE@"
case "$reason" in
  PREINIT) ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    if [ "$reason" = BOUND ] && [ -n "$DECLINE_ONCE" ] && [ -e "$DECLINE_ONCE" ]; then
      rm -f "$DECLINE_ONCE"; exit 1
    fi
    if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
      ip -4 addr flush dev "$interface"
    fi
    ip -4 addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface"
    [ -n "$new_routers" ] && ip -4 route replace default via "${new_routers%% *}" dev "$interface"
    ;;
  EXPIRE|FAIL|RELEASE|STOP) ip -4 addr flush dev "$interface" ;;
esac
exit 0
