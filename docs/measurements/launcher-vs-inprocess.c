/* What an in-process (shared library) spawn would cost: clone(CLONE_VM|CLONE_VFORK|ns flags) of the
   caller + execve, vs posix_spawn of the static launcher (which then clones). Measured in C so
   both paths are compared without JVM noise. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e6+t.tv_nsec/1e3;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
static char *bin;
static int child(void*a){char*av[]={"true",0};char*ev[]={0};execve(bin,av,ev);_exit(127);}
int main(int c,char**v){bin=v[2];int n=300;double t[300];char*stack=malloc(1<<20);
 for(int r=0;r<2;r++){
 for(int i=0;i<n;i++){double t0=now();
  if(!strcmp(v[1],"vfork-ns")){pid_t p=clone(child,stack+(1<<20),CLONE_VM|CLONE_VFORK|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNET|SIGCHLD,0);waitpid(p,0,0);}
  else if(!strcmp(v[1],"vfork")){pid_t p=clone(child,stack+(1<<20),CLONE_VM|CLONE_VFORK|SIGCHLD,0);waitpid(p,0,0);}
  else {pid_t p;char*av[]={"x",0};char*ev[]={0};posix_spawn(&p,bin,0,0,av,ev);waitpid(p,0,0);}
  t[i]=now()-t0;}
 qsort(t,n,sizeof*t,cmp);printf("%-10s median %.0f us  p90 %.0f us\n",v[1],t[n/2],t[n*9/10]);}
}
