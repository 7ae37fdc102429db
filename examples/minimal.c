/* minimal.c -- train a recurrent LIF network with e-prop on the pattern-generation task. */
#include <elig.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    elig_task_cfg tc = elig_task_cfg_default(ELIG_TASK_PATTERN);
    elig_task *task;
    if (elig_task_create(&tc, &task)) return fprintf(stderr, "%s\n", elig_last_error()), 1;
    int T = elig_task_steps(task), n_in = elig_task_n_in(task), n_out = elig_task_n_out(task);

    elig_net_cfg nc = elig_net_cfg_default();     /* one recurrent layer of 100 LIF */
    nc.n_in = n_in, nc.n_out = n_out, nc.tau_out = 30;
    nc.layer[0].neuron.tau_mem = 30, nc.layer[0].neuron.v_th = 0.03, nc.layer[0].neuron.input_leak_scale = 1;
    elig_learner_cfg lc = elig_learner_cfg_default(); /* e-prop, random feedback, MSE */
    lc.reg_rate = 300;
    elig_optim_cfg oc = elig_optim_cfg_default();     /* Adam */
    oc.lr = 3e-3;
    elig_net *net; elig_learner *L; elig_optim *opt;
    if (elig_net_create(&nc, &net) || elig_learner_create(net, &lc, &L) ||
        elig_optim_create(&oc, elig_net_n_params(net), &opt))
        return fprintf(stderr, "%s\n", elig_last_error()), 1;

    elig_real *x = malloc(sizeof *x * T * n_in), *y = malloc(sizeof *y * T * n_out);
    elig_task_sample(task, 1, x, y, NULL);            /* (T, n_in), (T, n_out): batch 1 */
    for (int it = 0; it < 100; it++) {
        double loss;
        elig_learner_begin(L, T);
        for (int t = 0; t < T; t++) elig_learner_step(L, x + t * n_in, y + t * n_out, NULL);
        elig_learner_end(L, &loss);
        elig_optim_step(opt, elig_net_params(net), elig_learner_grad(L));
        elig_learner_after_update(L);
        if (it % 20 == 0 || it == 99) printf("iteration %3d  loss %.3f\n", it, loss);
    }
    free(x), free(y);
    elig_optim_free(opt), elig_learner_free(L), elig_net_free(net), elig_task_free(task);
    return 0;
}
