# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE module_utils of ebpfops.tetragon; may change at any time.

Syscall tables (data only, standard library, importable on hosts).

GENERATED once from cilium/tetragon at commit 4fbfe2d74e (main, 2026-08-21), the tables its loader
uses to turn syscall list elements into ids (pkg/sensors/tracing/syscall_list.go SyscallVal.ID):
- NAMES[abi]: pkg/syscallinfo/{x64,i386,arm64,arm32}/ids.go `Names` (syscall names without sys_);
  the same syscalls as the kernel's arch/x86/entry/syscalls/syscall_64.tbl and scripts/syscall.tbl
  up to mseal (Linux 6.10). Syscalls added to Linux after that are not in these tables.
- FUNCTIONS: the keys of pkg/syscallinfo/syscalls.json (the syscall functions of an x86_64 kernel,
  without sys_, e.g. newfstat for fstat, umount for umount2): names a syscall kprobe can also use.
Regenerate from a newer Tetragon commit with the same two sources; do not edit by hand.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SOURCE = "cilium/tetragon 4fbfe2d74e pkg/syscallinfo"


_X64 = frozenset("""
_sysctl accept accept4 access acct add_key adjtimex afs_syscall alarm arch_prctl bind bpf brk cachestat capget
capset chdir chmod chown chroot clock_adjtime clock_getres clock_gettime clock_nanosleep clock_settime clone
clone3 close close_range connect copy_file_range creat create_module delete_module dup dup2 dup3 epoll_create
epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve
execveat exit exit_group faccessat faccessat2 fadvise64 fallocate fanotify_init fanotify_mark fchdir fchmod
fchmodat fchmodat2 fchown fchownat fcntl fdatasync fgetxattr finit_module flistxattr flock fork fremovexattr
fsconfig fsetxattr fsmount fsopen fspick fstat fstatfs fsync ftruncate futex futex_requeue futex_wait
futex_waitv futex_wake futimesat get_kernel_syms get_mempolicy get_robust_list get_thread_area getcpu getcwd
getdents getdents64 getegid geteuid getgid getgroups getitimer getpeername getpgid getpgrp getpid getpmsg
getppid getpriority getrandom getresgid getresuid getrlimit getrusage getsid getsockname getsockopt gettid
gettimeofday getuid getxattr init_module inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel
io_destroy io_getevents io_pgetevents io_setup io_submit io_uring_enter io_uring_register io_uring_setup ioctl
ioperm iopl ioprio_get ioprio_set kcmp kexec_file_load kexec_load keyctl kill landlock_add_rule
landlock_create_ruleset landlock_restrict_self lchown lgetxattr link linkat listen listmount listxattr
llistxattr lookup_dcookie lremovexattr lseek lsetxattr lsm_get_self_attr lsm_list_modules lsm_set_self_attr
lstat madvise map_shadow_stack mbind membarrier memfd_create memfd_secret migrate_pages mincore mkdir mkdirat
mknod mknodat mlock mlock2 mlockall mmap modify_ldt mount mount_setattr move_mount move_pages mprotect
mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedsend mq_unlink mremap mseal msgctl msgget msgrcv msgsnd
msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat nfsservctl open open_by_handle_at
open_tree openat openat2 pause perf_event_open personality pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2
pivot_root pkey_alloc pkey_free pkey_mprotect poll ppoll prctl pread64 preadv preadv2 prlimit64 process_madvise
process_mrelease process_vm_readv process_vm_writev pselect6 ptrace putpmsg pwrite64 pwritev pwritev2
query_module quotactl quotactl_fd read readahead readlink readlinkat readv reboot recvfrom recvmmsg recvmsg
remap_file_pages removexattr rename renameat renameat2 request_key restart_syscall rmdir rseq rt_sigaction
rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo
sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler
sched_rr_get_interval sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp
security select semctl semget semop semtimedop sendfile sendmmsg sendmsg sendto set_mempolicy
set_mempolicy_home_node set_robust_list set_thread_area set_tid_address setdomainname setfsgid setfsuid setgid
setgroups sethostname setitimer setns setpgid setpriority setregid setresgid setresuid setreuid setrlimit setsid
setsockopt settimeofday setuid setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 socket
socketpair splice stat statfs statmount statx swapoff swapon symlink symlinkat sync sync_file_range syncfs sysfs
sysinfo syslog tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_settime
timerfd_create timerfd_gettime timerfd_settime times tkill truncate tuxcall umask umount2 uname unlink unlinkat
unshare uselib userfaultfd ustat utime utimensat utimes vfork vhangup vmsplice vserver wait4 waitid write writev
""".split())

_I386 = frozenset("""
_llseek _newselect _sysctl accept4 access acct add_key adjtimex afs_syscall alarm arch_prctl bdflush bind bpf
break brk cachestat capget capset chdir chmod chown chown32 chroot clock_adjtime clock_adjtime64 clock_getres
clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 clock_settime
clock_settime64 clone clone3 close close_range connect copy_file_range creat create_module delete_module dup
dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_pwait epoll_pwait2 epoll_wait eventfd eventfd2 execve
execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_init fanotify_mark
fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr finit_module
flistxattr flock fork fremovexattr fsconfig fsetxattr fsmount fsopen fspick fstat fstat64 fstatat64 fstatfs
fstatfs64 fsync ftime ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv futex_wake
futimesat get_kernel_syms get_mempolicy get_robust_list get_thread_area getcpu getcwd getdents getdents64
getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp
getpid getpmsg getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit getrusage
getsid getsockname getsockopt gettid gettimeofday getuid getuid32 getxattr gtty idle init_module
inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents
io_pgetevents_time64 io_setup io_submit io_uring_enter io_uring_register io_uring_setup ioctl ioperm iopl
ioprio_get ioprio_set ipc kcmp kexec_load keyctl kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listmount listxattr llistxattr lock
lookup_dcookie lremovexattr lseek lsetxattr lsm_get_self_attr lsm_list_modules lsm_set_self_attr lstat lstat64
madvise map_shadow_stack mbind membarrier memfd_create memfd_secret migrate_pages mincore mkdir mkdirat mknod
mknodat mlock mlock2 mlockall mmap mmap2 modify_ldt mount mount_setattr move_mount move_pages mprotect mpx
mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64
mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep
nfsservctl nice oldfstat oldlstat oldolduname oldstat olduname open open_by_handle_at open_tree openat openat2
pause perf_event_open personality pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pivot_root pkey_alloc
pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_madvise
process_mrelease process_vm_readv process_vm_writev prof profil pselect6 pselect6_time64 ptrace putpmsg pwrite64
pwritev pwritev2 query_module quotactl quotactl_fd read readahead readdir readlink readlinkat readv reboot
recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat renameat2 request_key
restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min
sched_getaffinity sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval
sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield
seccomp select semctl semget semtimedop_time64 sendfile sendfile64 sendmmsg sendmsg sendto set_mempolicy
set_mempolicy_home_node set_robust_list set_thread_area set_tid_address setdomainname setfsgid setfsgid32
setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 sethostname setitimer setns setpgid setpriority
setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit setsid setsockopt
settimeofday setuid setuid32 setxattr sgetmask shmat shmctl shmdt shmget shutdown sigaction sigaltstack signal
signalfd signalfd4 sigpending sigprocmask sigreturn sigsuspend socket socketcall socketpair splice ssetmask stat
stat64 statfs statfs64 statmount statx stime stty swapoff swapon symlink symlinkat sync sync_file_range syncfs
sysfs sysinfo syslog tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64
timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64
times tkill truncate truncate64 ugetrlimit ulimit umask umount umount2 uname unlink unlinkat unshare uselib
userfaultfd ustat utime utimensat utimensat_time64 utimes vfork vhangup vm86 vm86old vmsplice vserver wait4
waitid waitpid write writev
""".split())

_ARM64 = frozenset("""
accept accept4 acct add_key adjtimex bind bpf brk cachestat capget capset chdir chroot clock_adjtime
clock_getres clock_gettime clock_nanosleep clock_settime clone clone3 close close_range connect copy_file_range
delete_module dup dup3 epoll_create1 epoll_ctl epoll_pwait epoll_pwait2 eventfd2 execve execveat exit exit_group
faccessat faccessat2 fadvise64 fallocate fanotify_init fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown
fchownat fcntl fdatasync fgetxattr finit_module flistxattr flock fremovexattr fsconfig fsetxattr fsmount fsopen
fspick fstat fstatfs fsync ftruncate futex futex_requeue futex_wait futex_waitv futex_wake get_mempolicy
get_robust_list getcpu getcwd getdents64 getegid geteuid getgid getgroups getitimer getpeername getpgid getpid
getppid getpriority getrandom getresgid getresuid getrlimit getrusage getsid getsockname getsockopt gettid
gettimeofday getuid getxattr init_module inotify_add_watch inotify_init1 inotify_rm_watch io_cancel io_destroy
io_getevents io_pgetevents io_setup io_submit io_uring_enter io_uring_register io_uring_setup ioctl ioprio_get
ioprio_set kcmp kexec_file_load kexec_load keyctl kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lgetxattr linkat listen listmount listxattr llistxattr lookup_dcookie lremovexattr lseek
lsetxattr lsm_get_self_attr lsm_list_modules lsm_set_self_attr madvise map_shadow_stack mbind membarrier
memfd_create memfd_secret migrate_pages mincore mkdirat mknodat mlock mlock2 mlockall mmap mount mount_setattr
move_mount move_pages mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedsend mq_unlink mremap
mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat
nfsservctl open_by_handle_at open_tree openat openat2 perf_event_open personality pidfd_getfd pidfd_open
pidfd_send_signal pipe2 pivot_root pkey_alloc pkey_free pkey_mprotect ppoll prctl pread64 preadv preadv2
prlimit64 process_madvise process_mrelease process_vm_readv process_vm_writev pselect6 ptrace pwrite64 pwritev
pwritev2 quotactl quotactl_fd read readahead readlinkat readv reboot recvfrom recvmmsg recvmsg remap_file_pages
removexattr renameat renameat2 request_key restart_syscall rseq rt_sigaction rt_sigpending rt_sigprocmask
rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo sched_get_priority_max
sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval
sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp semctl semget semop
semtimedop sendfile sendmmsg sendmsg sendto set_mempolicy set_mempolicy_home_node set_robust_list
set_tid_address setdomainname setfsgid setfsuid setgid setgroups sethostname setitimer setns setpgid setpriority
setregid setresgid setresuid setreuid setrlimit setsid setsockopt settimeofday setuid setxattr shmat shmctl
shmdt shmget shutdown sigaltstack signalfd4 socket socketpair splice statfs statmount statx swapoff swapon
symlinkat sync sync_file_range syncfs sysinfo syslog tee tgkill timer_create timer_delete timer_getoverrun
timer_gettime timer_settime timerfd_create timerfd_gettime timerfd_settime times tkill truncate umask umount2
uname unlinkat unshare userfaultfd utimensat vhangup vmsplice wait4 waitid write writev
""".split())

_ARM32 = frozenset("""
_llseek _newselect _sysctl accept accept4 access acct add_key adjtimex arm_fadvise64_64 bdflush bind bpf brk
cacheflush cachestat capget capset chdir chmod chown chown32 chroot clock_adjtime clock_adjtime64 clock_getres
clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 clock_settime
clock_settime64 clone clone3 close close_range connect copy_file_range creat delete_module dup dup2 dup3
epoll_create epoll_create1 epoll_ctl epoll_pwait epoll_pwait2 epoll_wait eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fallocate fanotify_init fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown
fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr finit_module flistxattr flock fork fremovexattr fsconfig
fsetxattr fsmount fsopen fspick fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex
futex_requeue futex_time64 futex_wait futex_waitv futex_wake futimesat get_mempolicy get_robust_list getcpu
getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32
getrusage getsid getsockname getsockopt gettid gettimeofday getuid getuid32 getxattr init_module
inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents
io_pgetevents_time64 io_setup io_submit io_uring_enter io_uring_register io_uring_setup ioctl ioprio_get
ioprio_set kcmp kexec_file_load kexec_load keyctl kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listmount listxattr llistxattr
lookup_dcookie lremovexattr lseek lsetxattr lsm_get_self_attr lsm_list_modules lsm_set_self_attr lstat lstat64
madvise map_shadow_stack mbind membarrier memfd_create migrate_pages mincore mkdir mkdirat mknod mknodat mlock
mlock2 mlockall mmap2 mount mount_setattr move_mount move_pages mprotect mq_getsetattr mq_notify mq_open
mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap mseal msgctl msgget
msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep nfsservctl nice open open_by_handle_at
open_tree openat openat2 pause pciconfig_iobase pciconfig_read pciconfig_write perf_event_open personality
pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pivot_root pkey_alloc pkey_free pkey_mprotect poll ppoll
ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_madvise process_mrelease process_vm_readv
process_vm_writev pselect6 pselect6_time64 ptrace pwrite64 pwritev pwritev2 quotactl quotactl_fd read readahead
readlink readlinkat readv reboot recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr
rename renameat renameat2 request_key restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo
sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam
sched_setscheduler sched_yield seccomp semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64
sendmmsg sendmsg sendto set_mempolicy set_mempolicy_home_node set_robust_list set_tid_address set_tls
setdomainname setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 sethostname
setitimer setns setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid
setreuid32 setrlimit setsid setsockopt settimeofday setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown
sigaction sigaltstack signalfd signalfd4 sigpending sigprocmask sigreturn sigsuspend socket socketpair splice
stat stat64 statfs statfs64 statmount statx swapoff swapon symlink symlinkat sync sync_file_range2 syncfs sysfs
sysinfo syslog tee tgkill timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill
truncate truncate64 ugetrlimit umask umount2 uname unlink unlinkat unshare uselib userfaultfd ustat utimensat
utimensat_time64 utimes vfork vhangup vmsplice vserver wait4 waitid write writev
""".split())

FUNCTIONS = frozenset("""
accept accept4 access acct add_key adjtimex adjtimex_time32 alarm arch_prctl bdflush bind bpf brk cachestat
capget capset chdir chmod chown chown16 chroot clock_adjtime clock_adjtime32 clock_getres clock_getres_time32
clock_gettime clock_gettime32 clock_nanosleep clock_nanosleep_time32 clock_settime clock_settime32 clone clone3
close close_range connect copy_file_range creat delete_module dup dup2 dup3 epoll_create epoll_create1 epoll_ctl
epoll_pwait epoll_pwait2 epoll_wait eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2
fadvise64 fadvise64_64 fallocate fanotify_init fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown16
fchownat fcntl fdatasync fgetxattr finit_module flistxattr flock fremovexattr fsconfig fsetxattr fsmount fsopen
fspick fstat fstatfs fstatfs64 fsync ftruncate futex futex_time32 futex_waitv futimesat futimesat_time32
get_mempolicy get_robust_list get_thread_area getcpu getcwd getdents getdents64 getgroups getgroups16
gethostname getitimer getpeername getpgid getpriority getrandom getresgid getresgid16 getresuid getresuid16
getrlimit getrusage getsid getsockname getsockopt gettimeofday getxattr ia32_fadvise64 ia32_fadvise64_64
ia32_fallocate ia32_ftruncate64 ia32_pread64 ia32_pwrite64 ia32_readahead ia32_sync_file_range ia32_truncate64
init_module inotify_add_watch inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents
io_getevents_time32 io_pgetevents io_setup io_submit io_uring_enter io_uring_register io_uring_setup ioctl
ioperm iopl ioprio_get ioprio_set kcmp kexec_load keyctl kill lchown lchown16 lgetxattr link linkat listen
listxattr llistxattr llseek lookup_dcookie lremovexattr lseek lsetxattr lstat madvise mbind membarrier
memfd_create memfd_secret migrate_pages mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap
mmap_pgoff modify_ldt mount mount_setattr move_mount move_pages mprotect mq_getsetattr mq_notify mq_open
mq_timedreceive mq_timedreceive_time32 mq_timedsend mq_timedsend_time32 mq_unlink mremap msgctl msgget msgrcv
msgsnd msync munlock munmap name_to_handle_at nanosleep nanosleep_time32 newfstat newfstatat newlstat newstat
newuname nice old_getrlimit old_readdir oldumount olduname open open_by_handle_at open_tree openat openat2
perf_event_open personality pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pivot_root pkey_alloc pkey_free
pkey_mprotect poll ppoll prctl pread64 preadv preadv2 prlimit64 process_madvise process_mrelease
process_vm_readv process_vm_writev pselect6 ptrace pwrite64 pwritev pwritev2 quotactl quotactl_fd read readahead
readlink readlinkat readv reboot recv recvfrom recvmmsg recvmmsg_time32 recvmsg remap_file_pages removexattr
rename renameat renameat2 request_key rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo
rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time32 rt_tgsigqueueinfo sched_get_priority_max
sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval
sched_rr_get_interval_time32 sched_setaffinity sched_setattr sched_setparam sched_setscheduler seccomp select
semctl semget semop semtimedop semtimedop_time32 send sendfile sendfile64 sendmmsg sendmsg sendto set_mempolicy
set_mempolicy_home_node set_robust_list set_thread_area set_tid_address setdomainname setfsgid setfsgid16
setfsuid setfsuid16 setgid setgid16 setgroups setgroups16 sethostname setitimer setns setpgid setpriority
setregid setregid16 setresgid setresgid16 setresuid setresuid16 setreuid setreuid16 setrlimit setsockopt
settimeofday setuid setuid16 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signal signalfd signalfd4
sigpending sigprocmask sigsuspend socket socketcall socketpair splice ssetmask stat statfs statfs64 statx stime
stime32 swapoff swapon symlink symlinkat sync_file_range sync_file_range2 syncfs sysctl sysfs sysinfo syslog tee
tgkill time time32 timer_create timer_delete timer_getoverrun timer_gettime timer_gettime32 timer_settime
timer_settime32 timerfd_create timerfd_gettime timerfd_gettime32 timerfd_settime timerfd_settime32 times tkill
truncate umask umount uname unlink unlinkat unshare uselib ustat utime utime32 utimensat utimensat_time32 utimes
utimes_time32 vmsplice wait4 waitid waitpid write writev
""".split())

NAMES = {"x64": _X64, "i386": _I386, "arm64": _ARM64, "arm32": _ARM32}
