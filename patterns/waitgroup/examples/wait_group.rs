//! The articles' first way to control goroutines: a WaitGroup, for several
//! goroutines that each do part of one job.
//!
//! The articles describe it in prose ("this suits many goroutines working
//! together on one thing, each doing a part of it; the thing is done only
//! when all of them are: control by waiting"). The program they summarise,
//! from "Go语言实战笔记（二十）| Go Context" (flysnow.org, 2017):
//!
//! ```go
//! func main() {
//!     var wg sync.WaitGroup
//!
//!     wg.Add(2)
//!     go func() {
//!         time.Sleep(2 * time.Second)
//!         fmt.Println("1号完成")
//!         wg.Done()
//!     }()
//!     go func() {
//!         time.Sleep(2 * time.Second)
//!         fmt.Println("2号完成")
//!         wg.Done()
//!     }()
//!     wg.Wait()
//!     fmt.Println("好了，大家都干完了，放工")
//! }
//! ```
//!
//! Here each worker computes half of a sum; `main` reports the halves in
//! worker order once the group is done, so the output is the same every run.
//!
//! Run it with `cargo run -p go-waitgroup --example wait_group`.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use go_waitgroup::WaitGroup;

// ANCHOR: add_done
fn run(out: &mut dyn Write) -> io::Result<()> {
    let wg = WaitGroup::new();
    let halves = [1..=50u64, 51..=100];
    let sums = Arc::new(Mutex::new([0u64; 2]));

    wg.add(2); // before starting the threads, as Go's rule says
    for (worker, half) in halves.into_iter().enumerate() {
        let (wg, sums) = (wg.clone(), Arc::clone(&sums));
        thread::spawn(move || {
            let sum = half.sum();
            sums.lock().unwrap()[worker] = sum;
            wg.done(); // this worker's part is done
        });
    }
    wg.wait(); // every part is done

    let sums = *sums.lock().unwrap();
    for (worker, sum) in sums.iter().enumerate() {
        writeln!(out, "worker {} done: its half sums to {sum}", worker + 1)?;
    }
    let total: u64 = sums.iter().sum();
    writeln!(out, "all done, the whole sum is {total}")?;
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}
// ANCHOR_END: add_done

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/wait_group.txt")
    );
}
