#!/usr/bin/env bash
# What a timed wake-up costs on this machine, in C, with no runtime in the
# way: the figures behind the hand-off monitor's design (docs/benchmarks.md,
# "The monitor's fast looks taken by waking workers").
#
# - CPU per wake-up of a thread sleeping 1 ms in `nanosleep` (what one
#   timed look of the monitor thread costs at least);
# - `timerfd` arm + disarm (a timer set and taken back without sleeping);
# - two threads ping-ponging over eventfds, each sleeping in `epoll_wait`
#   with no timeout, then with a 1 ms and a 10 ms timeout: CPU and wall
#   time per round trip (what a worker that slept on the driver with a
#   watch timeout would pay on every sleep).
#
# Usage: benches/wakeups.sh   (needs a C compiler: cc)
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/wakeups.c" <<'EOF'
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static double cpu_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static double wall_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int to_peer, to_main, timeout_ms;
enum { ROUNDS = 50000 };

static void wait_readable(int ep, int fd) {
    struct epoll_event ev;
    while (epoll_wait(ep, &ev, 1, timeout_ms) == 0) {
    }
    uint64_t v;
    if (read(fd, &v, 8) != 8) abort();
}
static int epoll_for(int fd) {
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return ep;
}
static void *peer(void *arg) {
    (void)arg;
    int ep = epoll_for(to_peer);
    uint64_t one = 1;
    for (int i = 0; i < ROUNDS; i++) {
        wait_readable(ep, to_peer);
        if (write(to_main, &one, 8) != 8) abort();
    }
    return NULL;
}
static void ping_pong(int ms) {
    timeout_ms = ms;
    to_peer = eventfd(0, EFD_NONBLOCK);
    to_main = eventfd(0, EFD_NONBLOCK);
    int ep = epoll_for(to_main);
    pthread_t t;
    pthread_create(&t, NULL, peer, NULL);
    double c = cpu_us(), w = wall_us();
    uint64_t one = 1;
    for (int i = 0; i < ROUNDS; i++) {
        if (write(to_peer, &one, 8) != 8) abort();
        wait_readable(ep, to_main);
    }
    pthread_join(t, NULL);
    printf("epoll_wait ping-pong, timeout %3d ms: %6.2f us CPU, %6.2f us wall per round trip\n",
           ms, (cpu_us() - c) / ROUNDS, (wall_us() - w) / ROUNDS);
    close(ep);
    close(to_peer);
    close(to_main);
}

int main(void) {
    struct timespec ms1 = {0, 1000000};
    int n = 2000;
    double c = cpu_us();
    for (int i = 0; i < n; i++) nanosleep(&ms1, NULL);
    printf("nanosleep(1 ms): %.2f us CPU per wake-up\n", (cpu_us() - c) / n);

    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec on = {.it_value = {0, 1000000}}, off = {{0, 0}, {0, 0}};
    n = 200000;
    c = cpu_us();
    for (int i = 0; i < n; i++) {
        timerfd_settime(fd, 0, &on, NULL);
        timerfd_settime(fd, 0, &off, NULL);
    }
    printf("timerfd arm + disarm: %.3f us CPU\n", (cpu_us() - c) / n);

    ping_pong(-1);
    ping_pong(1);
    ping_pong(10);
    ping_pong(-1);
    ping_pong(1);
    return 0;
}
EOF
cc -O2 -o "$dir/wakeups" "$dir/wakeups.c" -lpthread
"$dir/wakeups"
