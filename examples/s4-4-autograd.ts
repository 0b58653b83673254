// S4-4 — tensors and autograd, the seed's PyTorch walkthrough redone: randn, tensors from arrays,
// in-place ops (add_), requiresGrad, gradFn, isLeaf, noGrad, detach, backward on a scalar and with an
// external gradient vector (the vector-Jacobian product).
//
// Run: npx tsx examples/s4-4-autograd.ts
// Expected: dz/dx of x^3 at 5 is 75; for z = x*y with x=[2,4,8], y=[1,3,5], z.backward([1,1,1]) gives
// x.grad = [1, 3, 5] and y.grad = [2, 4, 8]; with v = [0.1, 1, 0.0001], x.grad = [0.1, 3, 0.0005].
import { manualSeed, noGrad, randn, tensor, zeros, onesLike } from '../src/index.ts';

manualSeed(0);
console.log('randn(2, 2):', String(randn([2, 2])));
console.log('from an array:', String(tensor([[0.5, -1], [2, 3]], { dtype: 'float64' })));
const e = zeros([2, 2]);
e.add_(1);
console.log('in-place add_(1):', String(e), '+ onesLike ->', String(e.add(onesLike(e))));

const x = tensor(5.0, { requiresGrad: true });
const y = tensor(1.0);
const z = x.mul(y).add(1);
for (const [name, t] of [['X', x], ['Y', y], ['Z', z]] as const) {
  console.log(`${name}\n data: ${t.item()}\n requiresGrad: ${t.requiresGrad}\n grad: ${t.grad}\n gradFn: ${t.gradFn?.name ?? null}\n isLeaf: ${t.isLeaf}\n`);
}

const a = tensor(25.0, { requiresGrad: true });
console.log('requires grad in y:', a.mul(2).requiresGrad);
console.log('requires grad in y (noGrad):', noGrad(() => a.mul(2)).requiresGrad);
console.log('detach() makes a leaf that shares data and does not require grad:', a.detach().requiresGrad);

const c = tensor(5.0, { requiresGrad: true });
c.pow(3).backward();
console.log('d(x^3)/dx at 5 =', c.grad!.item());

const u = tensor([2.0, 4.0, 8.0], { requiresGrad: true });
const w = tensor([1.0, 3.0, 5.0], { requiresGrad: true });
const p = u.mul(w);
console.log('z = x*y:', String(p));
p.backward(tensor([1.0, 1.0, 1.0]));
console.log('x.grad:', String(u.grad), ' y.grad:', String(w.grad));
u.zeroGrad();
u.mul(w).backward(tensor([0.1, 1.0, 0.0001]));
console.log('vector-Jacobian product with v = [0.1, 1, 0.0001]: x.grad =', String(u.grad));
